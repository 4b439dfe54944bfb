using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TrafficMonitor.Cli.Commands;
using TrafficMonitor.Configuration;
using TrafficMonitor.Hosting;
using TrafficMonitor.Hosting.Systemd;
using TrafficMonitor.Platform;

namespace TrafficMonitor.Cli;

/// <summary>
/// The command line: <c>traffic-monitor [run] [--once] [--dry-run]</c>, <c>status [--json]</c>, <c>history</c>, <c>check-config</c>, <c>test-notify</c>, <c>test-provider</c>,
/// <c>set-usage SIZE [--rx SIZE] [--tx SIZE]</c>, <c>pause [--until TIME]</c>, <c>resume</c>, <c>revert-all</c>,
/// each with <c>--config</c> and <c>--log-level</c>. A user's mistake ends in a message and an exit code, never a stack trace.
/// </summary>
public sealed class CliApplication(TextWriter output, TextWriter error, Func<string, string?> getEnvironment, Action<IServiceCollection>? configureServices = null)
{
    private readonly Option<string?> _config = new("--config", "-c")
    {
        Description = $"Settings file (default: ${ConfigLocator.EnvironmentVariable}, then {ConfigLocator.LocalPath}, then {ConfigLocator.SystemPath})",
        Recursive = true,
    };

    private readonly Option<LogLevel> _logLevel = new("--log-level")
    {
        Description = $"Log level: {LogLevels.Accepted}",
        Recursive = true,
        DefaultValueFactory = _ => LogLevel.Information,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
            if (LogLevels.TryParse(text, out var level))
            {
                return level;
            }

            result.AddError($"--log-level: '{text}' is not a log level; use {LogLevels.Accepted}");
            return LogLevel.Information;
        },
    };

    public static Task<int> RunAsync(string[] args) =>
        new CliApplication(Console.Out, Console.Error, Environment.GetEnvironmentVariable) { ErrorsToJournal = Journal.StderrIsJournal }.InvokeAsync(args);

    /// <summary>The error writer is the systemd journal: each error line gets the <c>&lt;3&gt;</c> priority prefix, as the log lines get theirs.</summary>
    public bool ErrorsToJournal { get; init; }

    public async Task<int> InvokeAsync(string[] args)
    {
        var root = BuildCommands();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors)
            {
                await WriteErrorAsync($"traffic-monitor: {problem.Message}").ConfigureAwait(false);
            }

            await WriteErrorAsync("Run 'traffic-monitor --help' for usage.").ConfigureAwait(false);
            return ExitCodes.BadCommandLine;
        }

        try
        {
            // Signals are the host's to handle (so a check in progress can finish), not System.CommandLine's.
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                Output = output,
                Error = error,
                ProcessTerminationTimeout = null,
                EnableDefaultExceptionHandler = false,
            }).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Only a bug gets here; the user gets one line, and the trace only when they ask for debug output.
            var wantsTrace = args.Any(a => a.Equals("debug", StringComparison.OrdinalIgnoreCase) || a.Equals("trace", StringComparison.OrdinalIgnoreCase));
            await WriteErrorAsync($"traffic-monitor: internal error: {e.Message}. This is a bug; please report it{(wantsTrace ? $":{Environment.NewLine}{e}" : " (run with --log-level debug for details)")}").ConfigureAwait(false);
            return ExitCodes.Software;
        }
    }

    private Task WriteErrorAsync(string text) =>
        error.WriteLineAsync(ErrorsToJournal ? string.Join(Environment.NewLine, text.Split('\n').Select(line => "<3>" + line.TrimEnd('\r'))) : text);

    private RootCommand BuildCommands()
    {
        var root = new RootCommand("Keeps a server inside its monthly traffic quota: staged alerts, then a critical action.");
        root.Options.Add(_config);
        root.Options.Add(_logLevel);
        root.Subcommands.Add(RunCommand.Create(root, WithSettings));
        root.Subcommands.Add(StatusCommand.Create(WithSettings));
        root.Subcommands.Add(HistoryCommand.Create(WithSettings));
        root.Subcommands.Add(SetUsageCommand.Create(WithSettings));
        root.Subcommands.Add(CheckConfigCommand.Create(WithSettings));
        root.Subcommands.Add(TestNotifyCommand.Create(WithSettings));
        root.Subcommands.Add(TestProviderCommand.Create(WithSettings));
        root.Subcommands.Add(PauseCommand.Create(WithSettings));
        root.Subcommands.Add(ResumeCommand.Create(WithSettings));
        root.Subcommands.Add(RevertAllCommand.Create(WithSettings));
        root.Subcommands.Add(InstallServiceCommand.CreateInstall(WithSettings));
        root.Subcommands.Add(InstallServiceCommand.CreateUninstall(output, error));
        return root;
    }

    /// <summary>Loads the settings before the command runs; a bad or missing file ends it with exit code 78 and every problem listed.</summary>
    private Func<ParseResult, CancellationToken, Task<int>> WithSettings(CommandBody command, bool logLoaded = false) =>
        async (parse, cancellationToken) =>
        {
            var level = parse.GetValue(_logLevel);
            using var loggers = new DeferredConsoleLoggers(level);
            var logger = loggers.CreateLogger("TrafficMonitor");
            var settings = await LoadSettingsAsync(parse, logger, logLoaded).ConfigureAwait(false);
            return settings is null
                ? ExitCodes.Config
                : await command(new CommandContext(
                    parse, settings, level, loggers, logger, output, error, configureServices, getEnvironment, Load), cancellationToken).ConfigureAwait(false);
        };

    /// <summary>Loads a settings file (at start, and again on SIGHUP); throws <see cref="ConfigException"/> listing every problem.</summary>
    private TrafficMonitorSettings Load(string path) =>
        ConfigLoader.Load(path, HostPlatform.Current.DefaultStateDirectory(ProcessEnvironment.Current), getEnvironment);

    private async Task<TrafficMonitorSettings?> LoadSettingsAsync(ParseResult parse, ILogger logger, bool logLoaded = true)
    {
        try
        {
            var (path, origin) = ConfigLocator.Locate(parse.GetValue(_config), getEnvironment);
            var settings = Load(path);
            if (logLoaded)
            {
                CliLog.SettingsLoaded(logger, path, origin);
            }

            return settings;
        }
        catch (ConfigException e)
        {
            await WriteErrorAsync($"traffic-monitor: invalid configuration{(e.File is null ? string.Empty : $" in {e.File}")}:").ConfigureAwait(false);
            foreach (var problem in e.Problems)
            {
                await WriteErrorAsync($"  {problem}").ConfigureAwait(false);
            }

            return null;
        }
    }
}
