using System.Text.Json.Serialization;
using TrafficMonitor.Configuration;
using TrafficMonitor.State;
using TrafficMonitor.Usage;

namespace TrafficMonitor.Quota;

/// <summary>
/// The numbers of one check, computed once (<see cref="Create"/>) and used by every message, <c>status</c> and anything
/// else that shows them. Byte counts are exact integers. The notification outbox keeps a copy of the message numbers
/// with each message; <see cref="Progress"/> and <see cref="Reading"/> stay in memory.
/// </summary>
public sealed record QuotaSnapshot(
    string HostName,
    BillingPeriod Period,
    long RxBytes,
    long TxBytes,
    long UsedBytes,
    CountMode CountMode,
    long LimitBytes,
    long CriticalBytes,
    decimal Percent,
    long? NextStageBytes,
    SizeUnits Units)
{
    /// <summary>The alert step, so a message can draw every stage; 0 when unknown.</summary>
    public long IntervalBytes { get; init; }

    [JsonIgnore]
    public QuotaProgress? Progress { get; init; }

    [JsonIgnore]
    public UsageReading? Reading { get; init; }

    /// <summary>Where the period is heading, computed once with the check (<see cref="Forecasts.Of(UsageReading, CountMode, ThresholdsOptions, DateTimeOffset, TimeZoneInfo)"/>).</summary>
    [JsonIgnore]
    public Forecast? Forecast { get; init; }

    public static QuotaSnapshot Create(
        string hostName, ThresholdsOptions thresholds, CountMode count, UsageReading reading, QuotaProgress progress, Forecast? forecast = null)
    {
        var counted = reading.Counted(count);
        return new QuotaSnapshot(
            hostName,
            reading.Period,
            reading.Rx,
            reading.Tx,
            counted,
            count,
            thresholds.TotalLimit.Bytes,
            thresholds.CriticalBytes,
            AlertPolicy.PercentUsed(thresholds, counted),
            AlertPolicy.NextStage(thresholds, counted),
            thresholds.Units)
        {
            IntervalBytes = thresholds.Interval.Bytes,
            Progress = progress,
            Reading = reading,
            Forecast = forecast,
        };
    }
}

/// <summary>Where one enforcement step stands this period.</summary>
public sealed record StepStatus(string Id, bool Enabled, IReadOnlyList<string> Command, DateTimeOffset? LastRunAt, int Runs, int Failures)
{
    public bool RanThisPeriod => LastRunAt is not null;
}

/// <summary>What the state says of this period: alerts sent, each step's runs, the last check. Read as the policy reads it.</summary>
public sealed record QuotaProgress(
    BillingPeriod Period,
    IReadOnlyList<long> StagesNotified,
    bool CriticalNotified,
    IReadOnlyList<StepStatus> Steps,
    DateTimeOffset? LastCheckAt,
    long? LastCountedBytes)
{
    /// <param name="steps">Each step's id, whether it is enabled, and the command it runs.</param>
    public static QuotaProgress Of(ThresholdsOptions thresholds, MonitorState state, BillingPeriod period, IEnumerable<(string Id, bool Enabled, IReadOnlyList<string> Command)> steps)
    {
        var alerts = AlertPolicy.In(state, period);
        // The last check of an earlier period says nothing of this one.
        var health = state.Alerts.PeriodStart == period.Start ? state.Health : new MonitorHealth();
        var stepStatus = steps.Select(step =>
        {
            var record = state.Step(step.Id).In(period.Start);
            return new StepStatus(step.Id, step.Enabled, step.Command, record.RanIn(period.Start) ? record.LastRunAt : null, record.Runs, record.Failures);
        }).ToList();
        return new QuotaProgress(
            period, AlertPolicy.StagesNotified(thresholds, alerts), alerts.CriticalNotified, stepStatus, health.LastCheckAt, health.LastCountedBytes);
    }
}
