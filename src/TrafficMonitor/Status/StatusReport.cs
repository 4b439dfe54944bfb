using System.Text.Json.Serialization;
using TrafficMonitor.Quota;

namespace TrafficMonitor.Status;

public sealed record StatusInterface(string Name, long RxBytes, long TxBytes);

public sealed record StatusAction(
    string Kind,
    bool Enabled,
    IReadOnlyList<string> Command,
    bool RanThisPeriod,
    DateTimeOffset? LastRunAt,
    int Runs,
    int Failures);

/// <summary>One enforcement step: its point, whether it is applied (in force) and since when, and any hold.</summary>
/// <param name="AtBytes">Where it starts; null for a rule no longer in the settings (undone at the next check).</param>
public sealed record StatusStep(
    string Id,
    string Kind,
    long? AtBytes,
    bool Revertible,
    bool Applied,
    DateTimeOffset? AppliedSince,
    bool RanThisPeriod,
    DateTimeOffset? LastRunAt,
    int Failures,
    DateTimeOffset? RevertedAt,
    bool Held,
    bool RuleRemoved);

/// <summary>Enforcement held by pause or revert-all.</summary>
public sealed record StatusHold(DateTimeOffset Since, DateTimeOffset? Until, bool RevertAll);

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

    /// <summary>Every enforcement step (the shutdown alone without actions.rules), in ascending order of their points.</summary>
    public IReadOnlyList<StatusStep> Steps { get; init; } = [];

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

    /// <summary>Why the state directory cannot be written, while it cannot; null when it can.</summary>
    public string? StateProblem { get; init; }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(StatusReport))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;
