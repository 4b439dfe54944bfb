using TrafficMonitor.Notifications;
using TrafficMonitor.Quota;

namespace TrafficMonitor.Metrics;

/// <summary>
/// What one scrape shows, gathered without I/O: the last check's snapshot (null before the first check that could
/// read usage) and the counters kept in memory beside it. The writers (<see cref="PrometheusText"/>,
/// <see cref="StatusPage"/>) are pure functions of it.
/// </summary>
/// <param name="Zone">The time zone the billing period's days are in (its start and end are local midnights).</param>
public sealed record MetricsView(
    QuotaSnapshot? Snapshot,
    TimeZoneInfo Zone,
    TimeSpan CheckInterval,
    long UsageErrors,
    int UsageFailuresInARow,
    int DegradedAfter,
    IReadOnlyList<ChannelCounts> Channels,
    string Version)
{
    public DateTimeOffset? PeriodStartsAt => Snapshot?.Period.StartsAt(Zone);

    public DateTimeOffset? PeriodEndsAt => Snapshot?.Period.EndsAt(Zone);

    public DateTimeOffset? CheckedAt => Snapshot?.Progress?.LastCheckAt;

    public bool Degraded => UsageFailuresInARow >= DegradedAfter;

    /// <summary>The projected usage at period end, as the last check computed it (not of the scrape: nothing is computed against the clock).</summary>
    public long? ForecastBytes => Snapshot?.Forecast?.ProjectedBytes;

    /// <summary>True when <paramref name="other"/> would be written exactly as this one (the same check, the same counters).</summary>
    public bool Shows(MetricsView other) =>
        ReferenceEquals(Snapshot, other.Snapshot) && Zone.Equals(other.Zone) && CheckInterval == other.CheckInterval && UsageErrors == other.UsageErrors &&
        UsageFailuresInARow == other.UsageFailuresInARow && DegradedAfter == other.DegradedAfter && Channels.SequenceEqual(other.Channels) && Version == other.Version;

    /// <summary>The highest alert stage notified this period, in bytes; 0 when none.</summary>
    public long StageReachedBytes => Snapshot?.Progress?.StagesNotified is { Count: > 0 } stages ? stages.Max() : 0;
}
