using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TrafficMonitor.Configuration;
using TrafficMonitor.Hosting;
using TrafficMonitor.Monitoring;

namespace TrafficMonitor.Cli;

/// <summary>
/// What every command starts from: the parsed line, the loaded settings, the log level, the loggers and a start-up logger, where to
/// write, the hook a test uses to replace services, the environment, and how to read the settings file again (a reload).
/// </summary>
internal sealed record CommandContext(
    ParseResult Parse,
    TrafficMonitorSettings Settings,
    LogLevel Level,
    ILoggerFactory Loggers,
    ILogger Logger,
    TextWriter Output,
    TextWriter Error,
    Action<IServiceCollection>? ConfigureServices,
    Func<string, string?> GetEnvironment,
    Func<string, TrafficMonitorSettings> LoadSettings)
{
    /// <summary>The pipeline's services for a one-shot command that acts or notifies (--once, test-notify, pause, ...).</summary>
    public ServiceProvider BuildServices(RunMode runMode) => MonitorHost.BuildServices(Settings, runMode, Level, ConfigureServices);

    /// <summary>The read-only parts for a short command, built without a container (see <see cref="CommandParts"/>).</summary>
    public CommandParts Parts() => new(Settings, RunMode.ReadOnly, Loggers, ConfigureServices);
}

/// <summary>A command's body; it runs only once the settings have loaded.</summary>
internal delegate Task<int> CommandBody(CommandContext context, CancellationToken cancellationToken);

/// <summary>Turns a body into a command's action that loads the settings first; a bad or missing file ends it with exit code 78.</summary>
internal delegate Func<ParseResult, CancellationToken, Task<int>> SettingsAction(CommandBody body, bool logLoaded = false);
