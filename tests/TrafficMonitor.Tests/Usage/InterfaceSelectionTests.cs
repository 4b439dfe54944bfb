using TrafficMonitor.Platform;
using TrafficMonitor.Usage;

namespace TrafficMonitor.Tests.Usage;

public sealed class InterfaceSelectionTests
{
    [Fact]
    public void Select_Default_CountsPhysicalLinksOnlyNotWhatRidesOnThem()
    {
        string[] available = ["lo", "eth0", "eth1", "bond0", "eth0.100", "docker0", "veth1a2b", "wg0", "ens3", "tmeth0"];

        var selected = InterfaceSelection.Select(available, [], "test", HostPlatform.Linux);

        Assert.Equal(["ens3", "eth0", "eth1", "tmeth0"], selected);
    }

    [Fact]
    public void Select_Configured_TakesExactlyThoseEvenVirtualOnes() =>
        Assert.Equal(["bond0"], InterfaceSelection.Select(["eth0", "bond0"], ["bond0"], "test", HostPlatform.Linux));

    [Fact]
    public void Select_DefaultOnMacOS_LeavesOutDottedVlansToo() =>
        Assert.Equal(["en0"], InterfaceSelection.Select(["en0", "en0.100", "lo0"], [], "test", HostPlatform.MacOS));

    [Fact]
    public void Select_DefaultOnWindows_CountsNamesWithADot() =>
        Assert.Equal(
            ["Ethernet", "Uplink v1.2"],
            InterfaceSelection.Select(["Ethernet", "Uplink v1.2", "Loopback Pseudo-Interface 1"], [], "test", HostPlatform.Windows));
}
