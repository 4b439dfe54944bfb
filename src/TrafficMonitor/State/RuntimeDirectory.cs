using System.Globalization;

namespace TrafficMonitor.State;

/// <summary>
/// A directory that lives as long as the boot (<c>/run</c> is a tmpfs): for what one boot must remember even when the
/// state directory cannot be written. systemd's <c>RuntimeDirectory=</c> hands it over in <c>$RUNTIME_DIRECTORY</c>.
/// </summary>
public static class RuntimeDirectory
{
    public const string EnvironmentVariable = "RUNTIME_DIRECTORY";

    public static string Root(Func<string, string?> getEnvironment)
    {
        if (getEnvironment(EnvironmentVariable) is { Length: > 0 } given)
        {
            // systemd may hand over several, separated by colons: the first is ours.
            return given.Split(':')[0];
        }

        if (Environment.IsPrivilegedProcess && Directory.Exists("/run"))
        {
            return "/run/traffic-monitor";
        }

        return getEnvironment("XDG_RUNTIME_DIR") is { Length: > 0 } user
            ? Path.Combine(user, "traffic-monitor")
            : Path.Combine(Path.GetTempPath(), $"traffic-monitor-{Environment.UserName}");
    }

    /// <summary>A name for <paramref name="stateDirectory"/> that two monitors on the same directory share.</summary>
    public static string KeyFor(string stateDirectory)
    {
        // FNV-1a: stable across runs and builds, and no cryptography library to load for a file name.
        var hash = 14695981039346656037UL;
        foreach (var c in Path.TrimEndingDirectorySeparator(Path.GetFullPath(stateDirectory)))
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash.ToString("x16", CultureInfo.InvariantCulture);
    }
}
