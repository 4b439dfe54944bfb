using Microsoft.Extensions.Time.Testing;
using TrafficMonitor.Usage;
using TrafficMonitor.Usage.SystemCounters.Linux;

namespace TrafficMonitor.Tests.Usage.SystemCounters;

public sealed class LinuxInterfaceCountersTests
{
    [Fact]
    public void ParseNetDev_RealLayout_ReadsRxAndTxBytesOfEveryInterface()
    {
        const string text = """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                lo: 1049610    1002    0    0    0     0          0         0  1049610    1002    0    0    0     0       0          0
              eth0: 18446744073709551615    3252    0    0    0     0          0         0   249197    2446    0    0    0     0       0          0
            wlp0s20f3:12 1 0 0 0 0 0 0 34 1 0 0 0 0 0 0
            """;

        var samples = LinuxInterfaceCounters.ParseNetDev(text);

        Assert.Equal(
            [new("lo", 1049610, 1049610), new("eth0", ulong.MaxValue, 249197), new("wlp0s20f3", 12, 34)],
            samples);
    }

    [Fact]
    public void ParseNetDev_TruncatedLine_IsUnavailableNotZero()
    {
        var error = Assert.Throws<UsageUnavailableException>(() => LinuxInterfaceCounters.ParseNetDev("eth0: 12 3 4\n"));
        Assert.Contains("eth0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BootIdAndUptime_GiveTheBoot()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        var proc = new FakeProc { BootId = "abc", UptimeSeconds = 7200 }.Set("eth0", 1, 2);

        var snapshot = new LinuxInterfaceCounters(proc, time).Read();

        Assert.Equal("abc", snapshot.BootId);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), snapshot.BootedAt);
    }
}
