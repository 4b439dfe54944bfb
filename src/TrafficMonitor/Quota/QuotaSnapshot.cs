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

/// <summary>An enforcement step as status and messages show it, whatever its kind.</summary>
/// <param name="AtBytes">Where the step is applied.</param>
public sealed record StepView(string Id, bool Enabled, IReadOnlyList<string> Command, string Kind, long AtBytes, bool Revertible)
{
    /// <summary>A step applied ahead of where it acts (a kernel quota): where it stops traffic.</summary>
    public long? StopsAtBytes { get; init; }
}

/// <summary>Where one enforcement step stands this period.</summary>
public sealed record StepStatus(string Id, bool Enabled, IReadOnlyList<string> Command, DateTimeOffset? LastRunAt, int Runs, int Failures)
{
    public bool RanThisPeriod => LastRunAt is not null;

    public string Kind { get; init; } = string.Empty;

    /// <summary>Where it starts, in counted bytes; <see cref="long.MaxValue"/> for a rule no longer in the settings.</summary>
    public long AtBytes { get; init; }

    /// <summary>A step applied ahead of where it acts (a kernel quota, armed at <see cref="AtBytes"/>): where it stops traffic.</summary>
    public long? StopsAtBytes { get; init; }

    public bool Revertible { get; init; }

    /// <summary>Applied and not undone (a step that can be undone).</summary>
    public bool InForce { get; init; }

    /// <summary>Since when it is in force (its last application, in any period).</summary>
    public DateTimeOffset? InForceSince { get; init; }

    public DateTimeOffset? RevertedAt { get; init; }

    /// <summary>Its rule is gone from the settings and it is still in force: undone at the next check.</summary>
    public bool RuleRemoved { get; init; }
}

/// <summary>What the state says of this period: alerts sent, each step's runs, the last check. Read as the policy reads it.</summary>
/// <param name="Hold">Enforcement held by pause or revert-all; null when not held (or its time is up).</param>
public sealed record QuotaProgress(
    BillingPeriod Period,
    IReadOnlyList<long> StagesNotified,
    bool CriticalNotified,
    IReadOnlyList<StepStatus> Steps,
    DateTimeOffset? LastCheckAt,
    long? LastCountedBytes,
    EnforcementHold? Hold = null)
{
    public static QuotaProgress Of(ThresholdsOptions thresholds, MonitorState state, BillingPeriod period, IEnumerable<StepView> steps, DateTimeOffset? now = null)
    {
        var alerts = AlertPolicy.In(state, period);
        // The last check of an earlier period says nothing of this one.
        var health = state.Alerts.PeriodStart == period.Start ? state.Health : new MonitorHealth();
        var views = steps.ToList();
        var stepStatus = views.Select(step =>
        {
            var saved = state.Step(step.Id);
            var record = saved.In(period.Start);
            return new StepStatus(step.Id, step.Enabled, step.Command, record.RanIn(period.Start) ? record.LastRunAt : null, record.Runs, record.Failures)
            {
                Kind = step.Kind,
                AtBytes = step.AtBytes,
                StopsAtBytes = step.StopsAtBytes,
                Revertible = step.Revertible,
                InForce = saved.InForce,
                InForceSince = saved.InForce ? saved.LastRunAt : null,
                RevertedAt = saved.RevertedAt,
            };
        }).ToList();
        var configured = views.Select(v => v.Id).ToHashSet(StringComparer.Ordinal);
        stepStatus.AddRange(state.Steps.Where(s => s.Value.InForce && !configured.Contains(s.Key)).Select(s =>
            new StepStatus(s.Key, true, s.Value.Undo ?? [], s.Value.LastRunAt, s.Value.Runs, s.Value.Failures)
            {
                Kind = s.Value.Kind ?? string.Empty,
                AtBytes = long.MaxValue,
                Revertible = true,
                InForce = true,
                InForceSince = s.Value.LastRunAt,
                RuleRemoved = true,
            }));
        var hold = state.Hold is { } h && (now is null || h.ActiveAt(now.Value)) ? h : null;
        return new QuotaProgress(
            period, AlertPolicy.StagesNotified(thresholds, alerts), alerts.CriticalNotified, stepStatus, health.LastCheckAt, health.LastCountedBytes, hold);
    }
}
