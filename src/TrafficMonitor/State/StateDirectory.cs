namespace TrafficMonitor.State;

/// <summary>The per-OS default for <c>monitor.state_dir</c>.</summary>
public static class StateDirectory
{
    public static string Default()
    {
        if (OperatingSystem.IsWindows())
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "traffic-monitor");
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsMacOS())
        {
            return Environment.IsPrivilegedProcess
                ? "/Library/Application Support/traffic-monitor"
                : Path.Combine(home, "Library", "Application Support", "traffic-monitor");
        }

        if (Environment.IsPrivilegedProcess)
        {
            return "/var/lib/traffic-monitor";
        }

        var xdgState = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        return Path.Combine(string.IsNullOrEmpty(xdgState) ? Path.Combine(home, ".local", "state") : xdgState, "traffic-monitor");
    }
}
