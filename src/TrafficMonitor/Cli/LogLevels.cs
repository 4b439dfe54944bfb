using Microsoft.Extensions.Logging;

namespace TrafficMonitor.Cli;

/// <summary>The original tool's level names (DEBUG … CRITICAL) and .NET's, in any case.</summary>
public static class LogLevels
{
    private static readonly Dictionary<string, LogLevel> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["DEBUG"] = LogLevel.Debug,
        ["INFO"] = LogLevel.Information,
        ["WARNING"] = LogLevel.Warning,
        ["WARN"] = LogLevel.Warning,
        ["ERROR"] = LogLevel.Error,
        ["CRITICAL"] = LogLevel.Critical,
        ["TRACE"] = LogLevel.Trace,
        ["INFORMATION"] = LogLevel.Information,
        ["NONE"] = LogLevel.None,
    };

    public static string Accepted => "DEBUG, INFO, WARNING, ERROR, CRITICAL (or .NET's Trace, Debug, Information, Warning, Error, Critical, None)";

    public static bool TryParse(string text, out LogLevel level) => Names.TryGetValue(text.Trim(), out level);
}
