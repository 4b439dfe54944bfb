namespace TrafficMonitor.Configuration;

/// <summary>The <c>notifications</c> section: how long undelivered notifications are kept and what else is reported.</summary>
public sealed class NotificationsOptions
{
    public const string SectionName = "notifications";
    public const int DefaultDegradedAfter = 3;
    public static readonly TimeSpan DefaultExpire = TimeSpan.FromDays(3);

    /// <summary>A billing period: retrying an alert for longer tells of a period that is over.</summary>
    public static readonly TimeSpan MaxExpire = TimeSpan.FromDays(31);

    /// <summary>How long a notification is retried before the outbox gives it up (and logs that).</summary>
    public TimeSpan Expire { get; init; } = DefaultExpire;

    /// <summary>Consecutive checks with unreadable usage before "monitoring degraded" is sent.</summary>
    public int DegradedAfter { get; init; } = DefaultDegradedAfter;

    /// <summary>Local time of day for the daily usage report; null sends none.</summary>
    public TimeOnly? DailyReport { get; init; }
}
