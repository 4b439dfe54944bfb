using System.Xml.Linq;
using TrafficMonitor.Platform.MacOS;
using TrafficMonitor.Platform.Services;
using TrafficMonitor.Platform.Windows;

namespace TrafficMonitor.Tests.Platform.Services;

/// <summary>
/// The Windows service (sc.exe) and the launchd daemon: nothing runs here, so the argument lists and the property
/// list are what is checked. The deploy/launchd plist is the one install-service writes for the packaged paths.
/// </summary>
public sealed class OtherServiceManagersTests
{
    private static readonly ServiceDefinition Windows = new(
        [@"C:\Program Files\traffic-monitor\traffic-monitor.exe"], @"C:\ProgramData\traffic-monitor\settings.yaml", @"C:\ProgramData\traffic-monitor\state", true, true, true, false);

    private static readonly ServiceDefinition MacOS = LaunchdServiceInstaller.Packaged;

    [Fact]
    public void Windows_Install_CreatesAnAutoStartServiceWithTheQuotedCommandLine_ThenStartsIt()
    {
        var plan = new WindowsServiceInstaller().Install(Windows);

        var commands = plan.Steps.Select(s => Assert.IsType<RunStep>(s).Command).ToList();
        Assert.Equal(
            [
                "sc.exe", "create", "traffic-monitor",
                "binPath=", "\"C:\\Program Files\\traffic-monitor\\traffic-monitor.exe\" \"run\" \"--config\" \"C:\\ProgramData\\traffic-monitor\\settings.yaml\"",
                "start=", "auto", "DisplayName=", "traffic-monitor",
            ],
            commands[0]);
        Assert.Equal(["sc.exe", "failure", "traffic-monitor", "reset=", "86400", "actions=", "restart/5000/restart/5000/restart/60000"], commands[2]);
        Assert.Equal(["sc.exe", "start", "traffic-monitor"], commands[^1]);
        Assert.Empty(plan.Notes);
    }

    [Fact]
    public void Windows_Uninstall_StopsThenDeletes()
    {
        var plan = new WindowsServiceInstaller().Uninstall();

        var stop = Assert.IsType<RunStep>(plan.Steps[0]);
        var delete = Assert.IsType<RunStep>(plan.Steps[1]);
        Assert.Equal(["sc.exe", "stop", "traffic-monitor"], stop.Command);
        Assert.True(stop.MayFail);
        Assert.Equal(["sc.exe", "delete", "traffic-monitor"], delete.Command);
        Assert.False(delete.MayFail);
    }

    [Fact]
    public void MacOS_Install_WritesThePlistAndBootstrapsItIntoTheSystemDomain()
    {
        var plan = new LaunchdServiceInstaller().Install(MacOS);

        var plist = Assert.IsType<WriteFileStep>(plan.Steps[0]);
        Assert.Equal("/Library/LaunchDaemons/org.traffic-monitor.plist", plist.Path);
        Assert.Equal(["/bin/launchctl", "enable", "system/org.traffic-monitor"], Assert.IsType<RunStep>(plan.Steps[1]).Command);
        Assert.Equal(["/bin/launchctl", "bootstrap", "system", "/Library/LaunchDaemons/org.traffic-monitor.plist"], Assert.IsType<RunStep>(plan.Steps[2]).Command);

        var arguments = XDocument.Parse(plist.Content).Descendants("array").Single().Elements("string").Select(e => e.Value);
        Assert.Equal(["/usr/local/bin/traffic-monitor", "run", "--config", "/etc/traffic-monitor/settings.yaml"], arguments);
    }

    [Fact]
    public void MacOS_Uninstall_BootsOutThenRemovesThePlist()
    {
        var plan = new LaunchdServiceInstaller().Uninstall();

        Assert.Equal(["/bin/launchctl", "bootout", "system/org.traffic-monitor"], Assert.IsType<RunStep>(plan.Steps[0]).Command);
        Assert.Equal(new DeleteFileStep("/Library/LaunchDaemons/org.traffic-monitor.plist"), plan.Steps[1]);
    }

    [Fact]
    public void MacOS_Plist_EscapesXml()
    {
        var service = MacOS with { SettingsPath = "/etc/a&b<c>.yaml" };

        var arguments = XDocument.Parse(LaunchdServiceInstaller.Render(service)).Descendants("array").Single().Elements("string").Select(e => e.Value);

        Assert.Contains("/etc/a&b<c>.yaml", arguments);
    }

    [Fact]
    public void DeployPlist_IsThePlistInstallServiceWritesForThePackagedPaths()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "TrafficMonitor.slnx")))
        {
            root = Path.GetDirectoryName(root)!;
        }

        var deployed = File.ReadAllText(Path.Combine(root, "deploy", "launchd", "org.traffic-monitor.plist"));

        Assert.Equal(LaunchdServiceInstaller.Render(MacOS), deployed);
    }
}
