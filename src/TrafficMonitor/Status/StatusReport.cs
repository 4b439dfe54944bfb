using System.Text.Json.Serialization;

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

/// <summary>Everything <c>status</c> shows; byte counts are exact integers.</summary>
public sealed record StatusReport(
    string ConfigFile,
    string Provider,
    string CountMode,
    DateOnly PeriodStart,
    DateOnly PeriodEnd,
    int ResetDay,
    IReadOnlyList<StatusInterface> Interfaces,
    long? RxBytes,
    long? TxBytes,
    long? CountedBytes,
    long LimitBytes,
    decimal? PercentUsed,
    long IntervalBytes,
    IReadOnlyList<long> StagesNotified,
    long? NextStageBytes,
    long CriticalBytes,
    decimal CriticalPercentage,
    bool CriticalReached,
    bool CriticalNotified,
    StatusAction Action,
    DateTimeOffset? DataUpdatedAt,
    DateTimeOffset? LastCheckAt,
    string? UsageError,
    string ProviderSetting,
    string? ProviderReason,
    long? MeasuredRxBytes,
    long? MeasuredTxBytes,
    decimal AdjustPercent,
    long CalibrationOffsetBytes,
    StatusNotifications? Notifications = null);

/// <summary>The notification outbox: what is still waiting for some channel.</summary>
public sealed record StatusNotifications(int Pending, DateTimeOffset? OldestQueuedAt, IReadOnlyList<string> LastErrors);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(StatusReport))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;
