using TrafficMonitor.Platform;

namespace TrafficMonitor.Tests.Platform;

/// <summary>Each OS's paths and rules, asked with made-up folders so that every flavour is checked on any OS.</summary>
public class HostPlatformTests
{
    private const string Home = "/home/ann";
    private const string ProgramData = @"C:\ProgramData";

    private static ProcessEnvironment Process(bool privileged = false, string? xdgStateHome = null) => new(
        Home, ProgramData, privileged, name => name == "XDG_STATE_HOME" ? xdgStateHome : null);

    [Fact]
    public void Current_IsTheFlavourOfTheOsRunningTheTests()
    {
        var expected = OperatingSystem.IsWindows() ? HostPlatform.Windows
            : OperatingSystem.IsMacOS() ? HostPlatform.MacOS
            : OperatingSystem.IsLinux() ? HostPlatform.Linux
            : HostPlatform.OtherUnix;
        Assert.Same(expected, HostPlatform.Current);
    }

    [Fact]
    public void Linux_StateDirectory_AsRootIsVarLib() =>
        Assert.Equal("/var/lib/traffic-monitor", HostPlatform.Linux.DefaultStateDirectory(Process(privileged: true, xdgStateHome: "/xdg")));

    [Theory]
    [InlineData("/xdg", "/xdg")]
    [InlineData("", Home + "/.local/state")]
    [InlineData(null, Home + "/.local/state")]
    public void Linux_StateDirectory_AsAUserFollowsXdg(string? xdgStateHome, string parent) =>
        Assert.Equal(Path.Combine(parent, "traffic-monitor"), HostPlatform.Linux.DefaultStateDirectory(Process(xdgStateHome: xdgStateHome)));

    [Fact]
    public void OtherUnix_StateDirectory_IsLinuxs() =>
        Assert.Equal(Path.Combine("/xdg", "traffic-monitor"), HostPlatform.OtherUnix.DefaultStateDirectory(Process(xdgStateHome: "/xdg")));

    [Fact]
    public void MacOS_StateDirectory_IsApplicationSupportAndIgnoresXdg()
    {
        Assert.Equal("/Library/Application Support/traffic-monitor", HostPlatform.MacOS.DefaultStateDirectory(Process(privileged: true)));
        Assert.Equal(
            Path.Combine(Home, "Library", "Application Support", "traffic-monitor"),
            HostPlatform.MacOS.DefaultStateDirectory(Process(xdgStateHome: "/xdg")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Windows_StateDirectory_IsUnderProgramDataForServiceAndUserAlike(bool privileged) =>
        Assert.Equal(Path.Combine(ProgramData, "traffic-monitor"), HostPlatform.Windows.DefaultStateDirectory(Process(privileged, "/xdg")));

    [Fact]
    public void SystemSettingsPath_IsEtcOnUnixAndProgramDataOnWindows()
    {
        Assert.Equal("/etc/traffic-monitor/settings.yaml", HostPlatform.Linux.SystemSettingsPath(Process()));
        Assert.Equal("/etc/traffic-monitor/settings.yaml", HostPlatform.MacOS.SystemSettingsPath(Process()));
        Assert.Equal("/etc/traffic-monitor/settings.yaml", HostPlatform.OtherUnix.SystemSettingsPath(Process()));
        Assert.Equal(Path.Combine(ProgramData, "traffic-monitor", "settings.yaml"), HostPlatform.Windows.SystemSettingsPath(Process(privileged: true)));
    }

    [Fact]
    public void HasProcNetDev_OnlyOnLinux()
    {
        Assert.True(HostPlatform.Linux.HasProcNetDev);
        Assert.False(HostPlatform.MacOS.HasProcNetDev);
        Assert.False(HostPlatform.Windows.HasProcNetDev);
        Assert.False(HostPlatform.OtherUnix.HasProcNetDev);
    }
}
