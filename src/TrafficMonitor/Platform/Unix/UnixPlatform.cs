namespace TrafficMonitor.Platform.Unix;

/// <summary>What Linux and macOS (and other Unixes) agree on; the state directory follows the FHS and XDG.</summary>
public class UnixPlatform : HostPlatform
{
    private static readonly UnixShutdownCommand UnixShutdown = new();

    public override string Name => "Unix";

    public override IShutdownCommand Shutdown => UnixShutdown;

    public override bool DottedNamesAreVlans => true;

    public override bool HasProcNetDev => false;

    public override string SystemSettingsPath(ProcessEnvironment process) => "/etc/traffic-monitor/settings.yaml";

    public override string DefaultStateDirectory(ProcessEnvironment process)
    {
        if (process.IsPrivileged)
        {
            return "/var/lib/traffic-monitor";
        }

        var xdgState = process.GetVariable("XDG_STATE_HOME");
        return Path.Combine(string.IsNullOrEmpty(xdgState) ? Path.Combine(process.UserProfile, ".local", "state") : xdgState, "traffic-monitor");
    }
}
