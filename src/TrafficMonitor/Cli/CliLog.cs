using Microsoft.Extensions.Logging;

namespace TrafficMonitor.Cli;

internal static partial class CliLog
{
    [LoggerMessage(EventId = 50, Level = LogLevel.Information, Message = "Loaded settings from {Path} ({Origin})")]
    public static partial void SettingsLoaded(ILogger logger, string path, string origin);

    [LoggerMessage(EventId = 51, Level = LogLevel.Warning, Message = "Settings: {Warning}")]
    public static partial void SettingsWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = 52, Level = LogLevel.Warning, Message = "Dry run: notifications are marked as such, no action runs and no state is saved")]
    public static partial void DryRun(ILogger logger);
}
