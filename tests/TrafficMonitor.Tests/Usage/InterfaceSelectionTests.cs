using TrafficMonitor.Usage;

namespace TrafficMonitor.Tests.Usage;

public sealed class InterfaceSelectionTests
{
    [Fact]
    public void Select_Default_CountsPhysicalLinksOnlyNotWhatRidesOnThem()
    {
        string[] available = ["lo", "eth0", "eth1", "bond0", "eth0.100", "docker0", "veth1a2b", "wg0", "ens3", "tmeth0"];

        var selected = InterfaceSelection.Select(available, [], "test");

        Assert.Equal(["ens3", "eth0", "eth1", "tmeth0"], selected);
    }

    [Fact]
    public void Select_Configured_TakesExactlyThoseEvenVirtualOnes() =>
        Assert.Equal(["bond0"], InterfaceSelection.Select(["eth0", "bond0"], ["bond0"], "test"));
}
