using System.Text.Json.Serialization;
using TrafficMonitor.Quota;

namespace TrafficMonitor.Status;

public sealed record StatusInterface(string Name, long RxBytes, long TxBytes)
{
    /// <summary>What this interface adds to the count (as measured, before calibration).</summary>
    public long CountedBytes { get; init; }
}

/// <summary>One local day of the period: what the counted interfaces moved, and what counts of it.</summary>
public sealed record StatusDay(DateOnly Date, long RxBytes, long TxBytes, long CountedBytes);

/// <summary>
/// One enforcement step, once: the point where it starts (the bar's marks), whether it ran this period, whether it is
/// applied (in force) and since when, and whether a hold keeps it back.
/// </summary>
/// <param name="AtBytes">Where it starts; null for a rule no longer in the settings (undone at the next check).</param>
public sealed record StatusStep(string Id, long? AtBytes, bool Enabled, bool RanThisPeriod, DateTimeOffset? LastRunAt, int Runs, int Failures)
{
    /// <summary>The rule's <c>do</c> (command, shutdown, …).</summary>
    public string Kind { get; init; } = string.Empty;

    /// <summary>
    /// A step armed ahead of where it acts (a kernel quota, installed at <c>AtBytes</c>): where it stops traffic; null
    /// for every other step.
    /// </summary>
    public long? StopsAtBytes { get; init; }

    /// <summary>Stays in force until undone.</summary>
    public bool Revertible { get; init; }

    /// <summary>Applied and not undone (a step that can be undone).</summary>
    public bool Applied { get; init; }

    public DateTimeOffset? AppliedSince { get; init; }

    public DateTimeOffset? RevertedAt { get; init; }

    /// <summary>Not applied because pause or revert-all holds enforcement.</summary>
    public bool Held { get; init; }

    /// <summary>Its rule is gone from the settings and it is still in force: undone at the next check.</summary>
    public bool RuleRemoved { get; init; }
}

/// <summary>The forecast as status shows it (<see cref="Quota.Forecast"/>).</summary>
public sealed record StatusForecast(
    long RecentBytesPerDay,
    long ProjectedBytes,
    long LinearBytes,
    DateTimeOffset? CriticalAt,
    bool CriticalBeforePeriodEnd,
    int DaysLeft,
    long DailyBudgetBytes,
    double BasisHours,
    bool Settled);

/// <summary>
/// What the monitor that owns the state decided at its last check, as its state file says: the daemon's view, which
/// may differ from this command's own reading by the traffic since.
/// </summary>
/// <param name="AgeSeconds">How long ago that check was, when status ran.</param>
public sealed record StatusMonitorView(
    DateTimeOffset LastCheckAt,
    long AgeSeconds,
    string? Source,
    long? CountedBytes,
    long? RxBytes,
    long? TxBytes,
    bool CriticalNotified,
    IReadOnlyList<StatusStep> Steps);

public sealed record StatusAction(
    string Kind,
    bool Enabled,
    IReadOnlyList<string> Command,
    bool RanThisPeriod,
    DateTimeOffset? LastRunAt,
    int Runs,
    int Failures);

/// <summary>Enforcement held by pause or revert-all.</summary>
public sealed record StatusHold(DateTimeOffset Since, DateTimeOffset? Until, bool RevertAll);

/// <summary>
/// The provider's meter beside the own counters (provider_api): what the decision counts (the provider's figure at
/// its last good reading plus the own counters since), the own counters' figure for the period, and their difference.
/// </summary>
public sealed record StatusProviderApi(
    string Kind,
    string Billing,
    long CountedBytes,
    long OwnBytes,
    long DifferenceBytes,
    long? ProviderBytes,
    DateTimeOffset? ProviderReadAt,
    long OwnSinceBytes,
    long? LimitBytes,
    DateTimeOffset? NextReset,
    string? Error,
    DateTimeOffset? FailingSince,
    DateTimeOffset? CompareFrom,
    DateTimeOffset? CompareTo,
    long? CompareProviderBytes,
    long? CompareOwnBytes,
    decimal? CompareDifferencePercent);

/// <summary>The notification outbox: what is still waiting for some channel.</summary>
public sealed record StatusNotifications(int Pending, DateTimeOffset? OldestQueuedAt, IReadOnlyList<string> LastErrors);

/// <summary>
/// Everything <c>status</c> shows, laid out for reading and for <c>--json</c> (byte counts exact integers). The numbers
/// are the check's own (<see cref="QuotaSnapshot"/>), never computed a second time here.
/// </summary>
public sealed record StatusReport
{
    public required string ConfigFile { get; init; }

    public required string Provider { get; init; }

    public required string CountMode { get; init; }

    public required DateOnly PeriodStart { get; init; }

    public required DateOnly PeriodEnd { get; init; }

    public required int ResetDay { get; init; }

    public required IReadOnlyList<StatusInterface> Interfaces { get; init; }

    public long? RxBytes { get; init; }

    public long? TxBytes { get; init; }

    public long? CountedBytes { get; init; }

    public required long LimitBytes { get; init; }

    public decimal? PercentUsed { get; init; }

    public required long IntervalBytes { get; init; }

    public required IReadOnlyList<long> StagesNotified { get; init; }

    public long? NextStageBytes { get; init; }

    public required long CriticalBytes { get; init; }

    public required decimal CriticalPercentage { get; init; }

    public required bool CriticalReached { get; init; }

    public required bool CriticalNotified { get; init; }

    /// <summary>The shutdown at the critical point; null when the ladder (actions.rules) replaces it.</summary>
    public StatusAction? Action { get; init; }

    /// <summary>Enforcement held by pause or revert-all; null when not held.</summary>
    public StatusHold? Hold { get; init; }

    public DateTimeOffset? DataUpdatedAt { get; init; }

    public DateTimeOffset? LastCheckAt { get; init; }

    public string? UsageError { get; init; }

    public required string ProviderSetting { get; init; }

    public string? ProviderReason { get; init; }

    public long? MeasuredRxBytes { get; init; }

    public long? MeasuredTxBytes { get; init; }

    public required decimal AdjustPercent { get; init; }

    public required long CalibrationOffsetBytes { get; init; }

    public StatusNotifications? Notifications { get; init; }

    /// <summary>Null without a provider_api section (or when usage could not be read).</summary>
    public StatusProviderApi? ProviderApi { get; init; }

    /// <summary>Why the state directory cannot be written, while it cannot; null when it can.</summary>
    public string? StateProblem { get; init; }

    /// <summary>When this status was taken.</summary>
    public DateTimeOffset? CheckedAt { get; init; }

    /// <summary>The local day this status was taken on: the per-day chart's last day so far.</summary>
    public DateOnly? Today { get; init; }

    /// <summary>Each local day of the period so far (empty when the source does not know its days).</summary>
    public IReadOnlyList<StatusDay> Days { get; init; } = [];

    /// <summary>
    /// Every enforcement step (the shutdown alone without actions.rules, then also <see cref="Action"/>), in ascending
    /// order of their points, with a rule removed from the settings but still in force last.
    /// </summary>
    public IReadOnlyList<StatusStep> Steps { get; init; } = [];

    public StatusForecast? Forecast { get; init; }

    /// <summary>What the monitor decided at its last check this period; null when none checked this period.</summary>
    public StatusMonitorView? Monitor { get; init; }

    /// <summary>monitor.check_interval in seconds, to tell a running monitor from a stopped one by the age of its last check.</summary>
    public double CheckIntervalSeconds { get; init; }
}

// Written, never read: the serialization-only mode emits a writer per type and no property metadata (getters,
// setters, converters for every property type), which is most of a context's code in the binary.
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(StatusReport))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;
