using TrafficMonitor.State;

namespace TrafficMonitor.Quota;

/// <summary>
/// Whether to warn that the critical point is coming, pure: once per period when the forecast (settled, at the recent
/// rate) reaches it before the period ends, and again only when the day it would be reached moves a day or more
/// earlier. Once the critical point is reached or notified, its own alert says it all.
/// </summary>
public static class ForecastPolicy
{
    /// <param name="alerts">This period's alerts, after this check's stage and critical decisions.</param>
    public static (PeriodAlerts Alerts, bool Notify) Evaluate(Forecast? forecast, PeriodAlerts alerts)
    {
        if (forecast is not { Settled: true, CriticalDay: { } day } || alerts.CriticalNotified)
        {
            return (alerts, false);
        }

        return alerts.ForecastCriticalDay is { } told && day > told.AddDays(-1)
            ? (alerts, false)
            : (alerts with { ForecastCriticalDay = day }, true);
    }
}
