using TrafficMonitor.Configuration;
using TrafficMonitor.Notifications;
using TrafficMonitor.Quota;

namespace TrafficMonitor.Tests.Notifications;

/// <summary>Notifications with realistic numbers: 100 GiB quota, 10 GiB stages, critical at 90 GiB.</summary>
internal static class Samples
{
    public const long GiB = 1L << 30;

    public static readonly DateTimeOffset Now = new(2026, 11, 15, 12, 0, 0, TimeSpan.Zero);

    public static QuotaSnapshot Snapshot(long used = 42 * GiB) => new(
        "web-1",
        new BillingPeriod(new DateOnly(2026, 11, 1), new DateOnly(2026, 12, 1)),
        used / 4,
        used - (used / 4),
        used,
        CountMode.Total,
        100 * GiB,
        90 * GiB,
        Math.Round(used * 100m / (100 * GiB), 2),
        ((used / (10 * GiB)) + 1) * 10 * GiB,
        SizeUnits.Gibibytes)
    {
        IntervalBytes = 10 * GiB,
    };

    public static Notification Stage(long stage = 40 * GiB) =>
        MessageComposer.StageReached(Snapshot(), stage, "the server shuts down in 1m", false, Now);

    public static Notification Critical() =>
        MessageComposer.CriticalReached(Snapshot(91 * GiB), "the server shuts down in 1m", false, Now);
}
