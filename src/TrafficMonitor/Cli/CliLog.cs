using Microsoft.Extensions.Logging;
using TrafficMonitor.Hosting;

namespace TrafficMonitor.Cli;

internal static partial class CliLog
{
    [LoggerMessage(EventId = LogEvents.SettingsLoaded, Level = LogLevel.Information, Message = "Loaded settings from {Path} ({Origin})")]
    public static partial void SettingsLoaded(ILogger logger, string path, string origin);

    [LoggerMessage(EventId = LogEvents.SettingsWarning, Level = LogLevel.Warning, Message = "Settings: {Warning}")]
    public static partial void SettingsWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = LogEvents.DryRun, Level = LogLevel.Warning, Message = "Dry run: notifications are marked as such, no action runs and no state is saved")]
    public static partial void DryRun(ILogger logger);
}
