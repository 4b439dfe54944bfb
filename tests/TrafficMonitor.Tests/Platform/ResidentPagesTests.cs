using TrafficMonitor.Platform.Linux;

namespace TrafficMonitor.Tests.Platform;

public class ResidentPagesTests
{
    private const string Maps = """
        55c90704e000-55c90706e000 r--p 00000000 fe:00 11681969                   /usr/bin/traffic-monitor
        55c90706e000-55c90768c000 r-xp 00013000 fe:00 11681969                   /usr/bin/traffic-monitor
        55c907bc1000-55c907be4000 rw-p 00b66000 fe:00 11681969                   /usr/bin/traffic-monitor
        55c907be4000-55c907ed7000 rw-p 00000000 00:00 0
        7f9458046000-7f945819c000 r-xp 00026000 fe:00 332096                     /usr/lib/x86_64-linux-gnu/libc.so.6
        7f9458212000-7f9458286000 r-xp 00010000 fe:00 332471                     /usr/bin/traffic-monitor-other
        """;

    [Fact]
    public void Mappings_OfTheBinary_AreItsCodeConstantsAndTypeDataNotTheHeapOrOtherFiles()
    {
        var mappings = ResidentPages.Mappings(Maps, "/usr/bin/traffic-monitor").Select(m => ((long)m.Start, (ulong)m.Length));

        Assert.Equal([(0x55c90704e000L, 0x20000UL), (0x55c90706e000L, 0x61e000UL), (0x55c907bc1000L, 0x23000UL)], mappings);
    }
}
