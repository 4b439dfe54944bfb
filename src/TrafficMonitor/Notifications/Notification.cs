using System.Text.Json.Serialization;
using TrafficMonitor.Configuration;
using TrafficMonitor.Quota;

namespace TrafficMonitor.Notifications;

[JsonConverter(typeof(JsonStringEnumConverter<NotificationKind>))]
public enum NotificationKind
{
    StageReached,
    CriticalReached,
    ActionRun,
    ActionFailed,
    MonitoringDegraded,
    MonitoringRecovered,
    NewPeriod,
    DailyReport,
    Test,
    StepApplied,
    StepReverted,
    StepFailed,
    ProviderDisagrees,
    ProviderUnavailable,
    ForecastCritical,
}

/// <summary>
/// One message to deliver through every configured channel. <see cref="Id"/> is stable for one event (a stage of a
/// period, say): channels derive their Message-ID / idempotency key from it, and the outbox never queues an id twice.
/// </summary>
public sealed record Notification(
    string Id,
    NotificationKind Kind,
    string Subject,
    string Body,
    string HostName,
    QuotaSnapshot? Snapshot,
    long? StageBytes,
    bool DryRun,
    DateTimeOffset CreatedAt)
{
    /// <summary>Delivered before others of the same check (the critical action waits for them).</summary>
    [JsonIgnore]
    public bool Urgent => Kind.Describe().Urgent;

    /// <summary>The event's name in payloads: stage_reached, critical_reached, …</summary>
    [JsonIgnore]
    public string EventName => Kind.Describe().EventName;
}
