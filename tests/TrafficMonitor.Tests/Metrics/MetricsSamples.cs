using TrafficMonitor.Configuration;
using TrafficMonitor.Metrics;
using TrafficMonitor.Notifications;
using TrafficMonitor.Quota;
using TrafficMonitor.Usage;

namespace TrafficMonitor.Tests.Metrics;

/// <summary>A fixed view: 2026-11, 600 GiB counted of 2000 GiB at the start of the 16th, UTC (half the period gone), the 600 GiB stage notified.</summary>
internal static class MetricsSamples
{
    public const long GiB = 1L << 30;
    public static readonly BillingPeriod Period = new(new DateOnly(2026, 11, 1), new DateOnly(2026, 12, 1));
    public static readonly DateTimeOffset CheckedAt = new(2026, 11, 16, 0, 0, 0, TimeSpan.Zero);

    public static MetricsView View(
        QuotaSnapshot? snapshot = null, bool noSnapshot = false, int failuresInARow = 0, IReadOnlyList<ChannelCounts>? channels = null, string host = "web-1") =>
        new(
            noSnapshot ? null : snapshot ?? Snapshot(host: host),
            TimeZoneInfo.Utc,
            TimeSpan.FromSeconds(60),
            UsageErrors: 4,
            UsageFailuresInARow: failuresInARow,
            DegradedAfter: 3,
            channels ?? [new ChannelCounts("email", "email (smtp.example.com:587)", 3, 1, 2), new ChannelCounts("webhook-abc", "webhook \"ntfy\"\\x\nnext", 0, 0, 0)],
            "1.2.3");

    public static QuotaSnapshot Snapshot(long rx = 500 * GiB, long tx = 100 * GiB, string host = "web-1", DateTimeOffset? shutdownRanAt = null)
    {
        var reading = new UsageReading("vnstat", Period, [new InterfaceUsage("eth0", rx - GiB, tx), new InterfaceUsage("eth1", GiB, 0)], null);
        var progress = new QuotaProgress(
            Period, [100 * GiB, 200 * GiB, 300 * GiB, 400 * GiB, 500 * GiB, 600 * GiB], false,
            [new StepStatus("shutdown", true, ["/sbin/shutdown", "-h", "+1"], shutdownRanAt, shutdownRanAt is null ? 0 : 1, 0)],
            CheckedAt, rx + tx);
        return new QuotaSnapshot(host, Period, rx, tx, rx + tx, CountMode.Total, 2000 * GiB, 1800 * GiB, 30m, 700 * GiB, SizeUnits.Gibibytes)
        {
            IntervalBytes = 100 * GiB,
            Progress = progress,
            Reading = reading,
            Forecast = Forecasts.Of(Period, rx + tx, 1800 * GiB, [], CheckedAt, TimeZoneInfo.Utc),
        };
    }
}
