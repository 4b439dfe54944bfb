using TrafficMonitor.State;

namespace TrafficMonitor.Quota;

/// <summary>The record of a period that just ended, from the state its last check left, pure.</summary>
public static class PeriodClosing
{
    /// <param name="previous">The state before the first check of the new period.</param>
    /// <param name="newPeriod">The period that just started; the ended one is the day before it and earlier.</param>
    /// <returns>Null when the state knows of no earlier period.</returns>
    public static PeriodRecord? Record(MonitorState previous, BillingPeriod newPeriod, long limitBytes, long criticalBytes)
    {
        if (previous.Alerts.PeriodStart is not { } start || start >= newPeriod.Start)
        {
            return null;
        }

        var health = previous.Health;
        return new PeriodRecord
        {
            PeriodStart = start,
            PeriodEnd = newPeriod.Start.AddDays(-1),
            LastCheckAt = health.LastCheckAt,
            Source = health.LastReading?.Source,
            RxBytes = health.LastReading?.RxBytes,
            TxBytes = health.LastReading?.TxBytes,
            CountedBytes = health.LastCountedBytes,
            LimitBytes = limitBytes,
            CriticalBytes = criticalBytes,
            HighestStageNotified = previous.Alerts.HighestStageNotified,
            CriticalNotified = previous.Alerts.CriticalNotified,
            ForecastCriticalDay = previous.Alerts.ForecastCriticalDay,
            Steps = previous.Steps
                .Where(s => s.Value.Period == start || s.Value.RanIn(start))
                .Select(s => new PeriodStepRecord(s.Key, s.Value.Period == start ? s.Value.Runs : 0, s.Value.Period == start ? s.Value.Failures : 0, s.Value.LastRunPeriod == start ? s.Value.LastRunAt : null))
                .OrderBy(s => s.Id, StringComparer.Ordinal)
                .ToList(),
        };
    }
}
