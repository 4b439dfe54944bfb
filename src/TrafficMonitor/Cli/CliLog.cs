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

    [LoggerMessage(EventId = LogEvents.AlreadyRunning, Level = LogLevel.Error,
        Message = "{Holder} already owns the state directory {StateDirectory}, so this one exits (code {ExitCode}) rather than notify and act a second time. Stop that one first, or give this one its own monitor.state_dir")]
    public static partial void AlreadyRunning(ILogger logger, string holder, string stateDirectory, int exitCode);

    [LoggerMessage(EventId = LogEvents.OnceSkipped, Level = LogLevel.Information,
        Message = "{Holder} owns the state directory {StateDirectory} and checks by itself: this --once decided and sent nothing")]
    public static partial void OnceSkipped(ILogger logger, string holder, string stateDirectory);

    [LoggerMessage(EventId = LogEvents.HangupIgnored, Level = LogLevel.Information, Message = "SIGHUP ignored: a single check keeps the settings it started with")]
    public static partial void HangupIgnored(ILogger logger);
}
