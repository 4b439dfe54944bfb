using Microsoft.Extensions.Time.Testing;
using TrafficMonitor.Configuration;
using TrafficMonitor.Tests.Components;
using TrafficMonitor.Usage.SystemCounters;
using TrafficMonitor.Usage.VnStat;

namespace TrafficMonitor.Tests.Usage.VnStat;

public sealed class VnStatLiveCountersTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static CountersSnapshot Kernel(ulong rx, ulong tx, DateTimeOffset? bootedAt = null) =>
        new("b", bootedAt ?? Now.AddDays(-3), [new CounterSample("eth0", rx, tx)]);

    private static Dictionary<string, VnStatCounters> Written(ulong rx, ulong tx, DateTimeOffset? updated = null) =>
        new() { ["eth0"] = new VnStatCounters("eth0", rx, tx, updated ?? Now.AddMinutes(-4)) };

    [Fact]
    public void Unwritten_CountersMovedSinceVnStatWrote_IsTheDifference() =>
        Assert.Equal((500L, 70L), VnStatLiveCounters.Unwritten(Written(1000, 30), Kernel(1500, 100))["eth0"]);

    [Fact]
    public void Unwritten_VnStatNeverReadTheInterface_IsNothing() =>
        Assert.False(VnStatLiveCounters.Unwritten(Written(0, 0), Kernel(1500, 100)).ContainsKey("eth0"));

    [Fact]
    public void Unwritten_CountersFromBeforeThisBoot_AllSinceBoot()
    {
        var unwritten = VnStatLiveCounters.Unwritten(Written(1000, 30, updated: Now.AddHours(-2)), Kernel(1500, 100, bootedAt: Now.AddHours(-1)));

        Assert.Equal((1500L, 100L), unwritten["eth0"]);
    }

    [Fact]
    public void Unwritten_CounterWentDown_AllOfTheNewCounter() =>
        Assert.Equal((200L, 20L), VnStatLiveCounters.Unwritten(Written(1000, 30), Kernel(200, 20))["eth0"]);

    [Fact]
    public void ReadDatabase_WithAWriteAheadLog_RefusesRatherThanCountTwice()
    {
        using var db = new VnStatDatabase().AddInterface("eth0");
        File.WriteAllText(db.DatabaseFile + "-wal", "pages");
        var live = new VnStatLiveCounters(new VnStatOptions { Config = db.ConfigFile }, new FakeTimeProvider(Now));

        Assert.Throws<InvalidDataException>(() => live.ReadDatabase());
    }

    [Fact]
    public void ReadDatabase_DatabaseDirFromVnStatsConfig_ReadsTheCounters()
    {
        using var db = new VnStatDatabase().AddInterface("eth0");
        db.Sql("update interface set rxcounter=123, txcounter=456, updated='2026-11-23 12:00:00' where name='eth0';");
        var live = new VnStatLiveCounters(new VnStatOptions { Config = db.ConfigFile }, new FakeTimeProvider(Now));

        var counters = live.ReadDatabase()["eth0"];

        Assert.Equal((123UL, 456UL, Now), (counters.Rx, counters.Tx, counters.Updated));
    }
}
