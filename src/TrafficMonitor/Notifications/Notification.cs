using TrafficMonitor.Configuration;
using TrafficMonitor.Quota;

namespace TrafficMonitor.Notifications;

public enum NotificationKind
{
    StageReached,
    CriticalReached,
    ActionFailed,
}

/// <summary>The numbers every message is built from (byte counts exact, as integers).</summary>
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
    SizeUnits Units);

/// <summary>One message to deliver through every configured channel.</summary>
public sealed record Notification(
    NotificationKind Kind,
    string Subject,
    string Body,
    QuotaSnapshot Snapshot,
    long? StageBytes,
    bool DryRun,
    DateTimeOffset CreatedAt);
