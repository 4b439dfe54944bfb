using TrafficMonitor.Configuration;
using TrafficMonitor.State;

namespace TrafficMonitor.Quota;

/// <summary>The inputs of one evaluation; the caller supplies the clock reading and the process's identity.</summary>
public sealed record QuotaInputs(
    ThresholdsOptions Thresholds,
    IReadOnlyList<EnforcementStep> Steps,
    BillingPeriod Period,
    long CountedBytes,
    MonitorState State,
    CheckTime Time,
    Guid ProcessInstance,
    TimeOnly? DailyReportAt = null,
    DateTimeOffset? HistoryUnknownSince = null,
    DateTimeOffset? BootedAt = null,
    Forecast? Forecast = null,
    LastReading? Reading = null);

/// <summary>
/// What one check should do: the alerts to send, each enforcement step's verdict, and the state once the alerts are
/// queued. What the steps then do is recorded with <see cref="EnforcementPolicy.Applied"/> and its siblings.
/// </summary>
/// <param name="HoldEnded">A pause with an end (<c>pause --until</c>) ran out at this check.</param>
public sealed record QuotaDecision(
    MonitorState State, AlertDecision Alerts, IReadOnlyList<StepDecision> Steps, bool NotifyRecovered, bool DailyReportDue, bool HoldEnded = false)
{
    /// <summary>The forecast to warn of: the critical point comes before the period ends; null when nothing is to be said.</summary>
    public Forecast? ForecastToNotify { get; init; }

    public bool NewPeriodStarted => Alerts.NewPeriodStarted;

    public long? StageToNotify => Alerts.StageToNotify;

    public bool NotifyCritical => Alerts.NotifyCritical;

    public bool ClockBehind => Alerts.ClockBehind;
}

/// <summary>
/// The quota rules, pure: settings, usage, the period and the saved state in; what to notify, what to enforce and the
/// new state out. No I/O, no clock, no logging.
/// </summary>
public static class QuotaPolicy
{
    public static QuotaDecision Evaluate(QuotaInputs inputs)
    {
        var (saved, holdEnded) = EnforcementPolicy.ExpireHold(inputs.State, inputs.Time.Now);
        var alerts = AlertPolicy.Evaluate(inputs.Thresholds, inputs.Period, inputs.CountedBytes, saved);
        var notifyForecast = false;
        if (!alerts.ClockBehind)
        {
            (var periodAlerts, notifyForecast) = ForecastPolicy.Evaluate(inputs.Forecast, alerts.Alerts);
            alerts = alerts with { Alerts = periodAlerts };
        }

        var steps = EnforcementPolicy.Evaluate(inputs.Steps, saved, new EnforcementInputs(
            inputs.Period, inputs.CountedBytes, inputs.Time.Now, inputs.ProcessInstance, inputs.BootedAt, inputs.HistoryUnknownSince));
        var (days, reportDue) = DailyReportSchedule.Evaluate(
            saved.Days, alerts.NewPeriodStarted, saved.Health.LastCountedBytes, inputs.CountedBytes, inputs.Time, inputs.DailyReportAt);

        // Usage was read, so whatever kept it from being read is over.
        var health = new MonitorHealth { LastCheckAt = inputs.Time.Now, LastCountedBytes = inputs.CountedBytes, LastReading = inputs.Reading };
        var state = saved with { Alerts = alerts.Alerts, EarlierAlerts = alerts.EarlierAlerts, Health = health, Days = days };
        return new QuotaDecision(state, alerts, steps, saved.Health.DegradedNotified, reportDue, holdEnded)
        {
            ForecastToNotify = notifyForecast ? inputs.Forecast : null,
        };
    }

    /// <summary>Counts a check that could not read usage; after <paramref name="degradedAfter"/> in a row, the admin is told once.</summary>
    public static (MonitorState State, bool NotifyDegraded) UsageFailed(MonitorState state, DateTimeOffset now, int degradedAfter)
    {
        var health = state.Health with { UsageFailures = state.Health.UsageFailures + 1, UsageFailingSince = state.Health.UsageFailingSince ?? now };
        var notify = health.UsageFailures >= degradedAfter && !health.DegradedNotified;
        return (state with { Health = notify ? health with { DegradedNotified = true } : health }, notify);
    }
}
