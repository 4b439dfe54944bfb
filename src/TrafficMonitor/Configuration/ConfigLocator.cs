using TrafficMonitor.Platform;

namespace TrafficMonitor.Configuration;

/// <summary>
/// Finds the settings file: <c>--config</c>, then <c>$TRAFFIC_MONITOR_CONFIG</c>, then <c>config/settings.yaml</c>
/// in the working directory, then the system path.
/// </summary>
public static class ConfigLocator
{
    public const string EnvironmentVariable = "TRAFFIC_MONITOR_CONFIG";
    public const string LocalPath = "config/settings.yaml";

    // Read before the services exist, so from the platform chosen once for the process.
    public static string SystemPath => HostPlatform.Current.SystemSettingsPath(ProcessEnvironment.Current);

    /// <summary>Returns the file to load and how it was chosen, or throws a <see cref="ConfigException"/> naming every place looked at.</summary>
    public static (string Path, string Origin) Locate(string? commandLinePath, Func<string, string?> getEnvironment)
    {
        if (!string.IsNullOrWhiteSpace(commandLinePath))
        {
            return File.Exists(commandLinePath)
                ? (Path.GetFullPath(commandLinePath), "--config")
                : throw NotFound($"--config {commandLinePath}", commandLinePath);
        }

        var fromEnvironment = getEnvironment(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return File.Exists(fromEnvironment)
                ? (Path.GetFullPath(fromEnvironment), $"${EnvironmentVariable}")
                : throw NotFound($"${EnvironmentVariable}={fromEnvironment}", fromEnvironment);
        }

        if (File.Exists(LocalPath))
        {
            return (Path.GetFullPath(LocalPath), "working directory");
        }

        if (File.Exists(SystemPath))
        {
            return (SystemPath, "system path");
        }

        throw NotFound(
            $"no settings file found: looked for {Path.GetFullPath(LocalPath)} and {SystemPath}. " +
            $"Pass --config PATH, set ${EnvironmentVariable}, or copy the example config/settings.yaml to {SystemPath} and edit it");
    }

    private static ConfigException NotFound(string message) => new(null, [new ConfigProblem("(file)", message)]);

    /// <summary>A named path that is not a file: a directory is said to be one (File.Exists is false for both).</summary>
    private static ConfigException NotFound(string named, string path) => NotFound(Directory.Exists(path)
        ? $"{named}: is a directory, not a settings file: name the file in it, e.g. {Path.Combine(path, "settings.yaml")}"
        : $"{named}: no such file");
}
