using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TrafficMonitor.Configuration;
using TrafficMonitor.Hosting;
using TrafficMonitor.Monitoring;
using TrafficMonitor.Quota;
using TrafficMonitor.State;
using TrafficMonitor.Status;
using TrafficMonitor.Usage;
using TrafficMonitor.Usage.Calibration;

namespace TrafficMonitor.Cli;

/// <summary>
/// The command line: <c>traffic-monitor [run] [--once] [--dry-run]</c>, <c>status [--json]</c>, <c>check-config</c>, <c>test-notify</c>,
/// <c>set-usage SIZE [--rx SIZE] [--tx SIZE]</c>,
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

    private readonly Option<bool> _once = new("--once") { Description = "Run one check, then exit (for cron): 0 when the check ran" };
    private readonly Option<bool> _dryRun = new("--dry-run") { Description = "Send notifications marked as a dry run; run no action and save no state" };
    private readonly Option<bool> _json = new("--json") { Description = "Print one JSON document (byte counts as integers)" };
    private readonly Argument<string> _usage = new("SIZE") { Description = "The period's usage as your provider's panel shows it, e.g. \"812 GB\" (a plain number is GiB)" };
    private readonly Option<string?> _rx = new("--rx") { Description = "Received (download) as the panel shows it" };
    private readonly Option<string?> _tx = new("--tx") { Description = "Sent (upload) as the panel shows it" };

    public static Task<int> RunAsync(string[] args) =>
        new CliApplication(Console.Out, Console.Error, Environment.GetEnvironmentVariable).InvokeAsync(args);

    public async Task<int> InvokeAsync(string[] args)
    {
        var root = BuildCommands();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors)
            {
                await error.WriteLineAsync($"traffic-monitor: {problem.Message}").ConfigureAwait(false);
            }

            await error.WriteLineAsync("Run 'traffic-monitor --help' for usage.").ConfigureAwait(false);
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
            await error.WriteLineAsync($"traffic-monitor: internal error: {e.Message}. This is a bug; please report it{(wantsTrace ? $":{Environment.NewLine}{e}" : " (run with --log-level debug for details)")}").ConfigureAwait(false);
            return ExitCodes.Software;
        }
    }

    private RootCommand BuildCommands()
    {
        var root = new RootCommand("Keeps a server inside its monthly traffic quota: staged alerts, then a critical action.");
        root.Options.Add(_config);
        root.Options.Add(_logLevel);
        root.Options.Add(_once);
        root.Options.Add(_dryRun);
        root.SetAction(WithSettings(RunMonitorAsync, logLoaded: true));

        var run = new Command("run", "Run the monitor until stopped (the default command)");
        run.Options.Add(_once);
        run.Options.Add(_dryRun);
        run.SetAction(WithSettings(RunMonitorAsync, logLoaded: true));
        root.Subcommands.Add(run);

        var status = new Command("status", "Show this billing period's usage, stages notified, next stage and critical point");
        status.Options.Add(_json);
        status.SetAction(WithSettings(StatusAsync));
        root.Subcommands.Add(status);

        var setUsage = new Command("set-usage", "Set this billing period's counted usage to what your provider's panel shows (kept as an offset for this period only)");
        setUsage.Arguments.Add(_usage);
        setUsage.Options.Add(_rx);
        setUsage.Options.Add(_tx);
        setUsage.SetAction(WithSettings(SetUsageAsync));
        root.Subcommands.Add(setUsage);

        var checkConfig = new Command("check-config", "Validate the settings and print the effective values, secrets masked");
        checkConfig.SetAction(WithSettings(CheckConfigAsync));
        root.Subcommands.Add(checkConfig);

        var testNotify = new Command("test-notify", "Send a test message through every configured channel and print each result");
        testNotify.SetAction(WithSettings(TestNotifyAsync));
        root.Subcommands.Add(testNotify);
        return root;
    }

    private async Task<int> RunMonitorAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var (parse, settings, level, logger) = context;
        foreach (var warning in SettingsAdvisor.Warnings(settings))
        {
            CliLog.SettingsWarning(logger, warning);
        }

        var runMode = new RunMode(parse.GetValue(_dryRun));
        if (runMode.DryRun)
        {
            CliLog.DryRun(logger);
        }

        return parse.GetValue(_once)
            ? await RunOnceAsync(settings, runMode, level).ConfigureAwait(false)
            : await RunHostAsync(settings, runMode, level).ConfigureAwait(false);
    }

    private async Task<int> RunOnceAsync(TrafficMonitorSettings settings, RunMode runMode, LogLevel level)
    {
        await using var services = BuildServices(settings, runMode, level);
        var result = await services.GetRequiredService<QuotaCheck>().RunAsync(CancellationToken.None).ConfigureAwait(false);
        return result.Outcome switch
        {
            CheckOutcome.Completed => ExitCodes.Success,
            CheckOutcome.UsageUnavailable => ExitCodes.UsageUnavailable,
            CheckOutcome.StateUnavailable => ExitCodes.StateUnavailable,
            _ => ExitCodes.ActionFailed,
        };
    }

    private async Task<int> RunHostAsync(TrafficMonitorSettings settings, RunMode runMode, LogLevel level)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddTrafficMonitorConsole(level);
        builder.Services.AddTrafficMonitor(settings, runMode);
        configureServices?.Invoke(builder.Services);
        builder.Services.AddHostedService<MonitorService>();
        builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = LongestCheck(settings));
        using var host = builder.Build();
        await host.RunAsync().ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private async Task<int> StatusAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var (parse, settings, level, _) = context;
        await using var services = BuildServices(settings, new RunMode(DryRun: true), level);
        var report = await ActivatorUtilities.CreateInstance<StatusReporter>(services).BuildAsync(cancellationToken).ConfigureAwait(false);
        if (parse.GetValue(_json))
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(report, StatusJsonContext.Default.StatusReport)).ConfigureAwait(false);
        }
        else
        {
            await output.WriteAsync(StatusReporter.FormatText(report, settings.Thresholds.Units)).ConfigureAwait(false);
        }

        return report.UsageError is null ? ExitCodes.Success : ExitCodes.UsageUnavailable;
    }

    private async Task<int> SetUsageAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var (parse, settings, level, _) = context;
        var sizes = new List<long?>();
        foreach (var (name, text) in new[] { ("SIZE", parse.GetValue(_usage)), ("--rx", parse.GetValue(_rx)), ("--tx", parse.GetValue(_tx)) })
        {
            if (text is null)
            {
                sizes.Add(null);
            }
            else if (ByteSize.TryParse(text, out var size, out var problem) && size.Bytes >= 0)
            {
                sizes.Add(size.Bytes);
            }
            else
            {
                await error.WriteLineAsync($"traffic-monitor: set-usage {name}: {(size.Bytes < 0 ? "must not be negative" : problem)}").ConfigureAwait(false);
                return ExitCodes.BadCommandLine;
            }
        }

        // Read-only: the running monitor owns the ledger; it picks the new calibration up at its next check.
        await using var services = BuildServices(settings, new RunMode(DryRun: true), level);
        var source = services.GetRequiredService<CalibratedUsageSource>();
        var time = services.GetRequiredService<TimeProvider>();
        var period = BillingPeriod.Containing(time.GetLocalNow(), settings.Monitor.ResetDay);
        UsageReading measured;
        try
        {
            measured = await source.Inner.ReadAsync(period, cancellationToken).ConfigureAwait(false);
        }
        catch (UsageUnavailableException e)
        {
            await error.WriteLineAsync($"traffic-monitor: set-usage: usage cannot be read from {source.Name}, so there is nothing to calibrate: {e.Message}").ConfigureAwait(false);
            return ExitCodes.UsageUnavailable;
        }

        var calibration = CalibratedUsageSource.Calibrate(
            measured, settings.Monitor.Count, settings.Monitor.AdjustPercent, sizes[0]!.Value, sizes[1], sizes[2], time.GetUtcNow());
        try
        {
            services.GetRequiredService<CalibrationStore>().Save(calibration);
        }
        catch (StateException e)
        {
            await error.WriteLineAsync($"traffic-monitor: set-usage: {e.Message}").ConfigureAwait(false);
            return ExitCodes.StateUnavailable;
        }

        var units = settings.Thresholds.Units;
        var measuredCounted = UsageReading.Count(settings.Monitor.Count, measured.MeasuredRx, measured.MeasuredTx);
        await output.WriteLineAsync(
            $"Counted usage for {period} set to {ByteSize.Format(sizes[0]!.Value, units)} ({sizes[0]} bytes); " +
            $"{source.Name} measured {ByteSize.Format(measuredCounted, units)} ({measuredCounted} bytes) on {string.Join(", ", measured.Interfaces.Select(i => i.Name))}. " +
            $"The difference is kept until the period ends; traffic from now on is added to it.").ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private async Task<int> CheckConfigAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        await output.WriteLineAsync($"# {settings.SourcePath}: valid").ConfigureAwait(false);
        await output.WriteAsync(SettingsPrinter.Format(settings)).ConfigureAwait(false);
        var warnings = SettingsAdvisor.Warnings(settings);
        if (warnings.Count > 0)
        {
            await output.WriteLineAsync("# warnings:").ConfigureAwait(false);
            foreach (var warning in warnings)
            {
                await output.WriteLineAsync($"#   {warning}").ConfigureAwait(false);
            }
        }

        return ExitCodes.Success;
    }

    private async Task<int> TestNotifyAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var (parse, settings, level, _) = context;
        // A dry run keeps the outbox in memory: a test message is sent once, now, and never queued.
        await using var services = BuildServices(settings, new RunMode(DryRun: true), level);
        var dispatcher = services.GetRequiredService<Notifications.NotificationDispatcher>();
        if (dispatcher.Channels.Count == 0)
        {
            await error.WriteLineAsync("traffic-monitor: no notification channel is configured: add an email, webhooks or telegram section").ConfigureAwait(false);
            return ExitCodes.Config;
        }

        var notification = Notifications.MessageComposer.Test(Environment.MachineName, null, services.GetRequiredService<TimeProvider>().GetUtcNow());
        var report = await dispatcher.SendNowAsync(notification, cancellationToken).ConfigureAwait(false);
        foreach (var result in report.Results)
        {
            await output.WriteLineAsync(result.Succeeded
                ? $"ok      {result.Channel}"
                : $"FAILED  {result.Channel}: {result.Error}{(result.Rejected ? " (a configuration problem)" : string.Empty)}").ConfigureAwait(false);
        }

        var failed = report.Results.Where(r => !r.Succeeded).Select(r => r.Channel).ToList();
        if (failed.Count > 0)
        {
            await error.WriteLineAsync($"traffic-monitor: {failed.Count} of {report.Results.Count} channel(s) failed: {string.Join(", ", failed)}").ConfigureAwait(false);
            return ExitCodes.NotificationFailed;
        }

        return ExitCodes.Success;
    }

    /// <summary>What every command starts from: the parsed line, the loaded settings, the log level and a start-up logger.</summary>
    private sealed record CommandContext(ParseResult Parse, TrafficMonitorSettings Settings, LogLevel Level, ILogger Logger);

    /// <summary>Loads the settings before the command runs; a bad or missing file ends it with exit code 78 and every problem listed.</summary>
    private Func<ParseResult, CancellationToken, Task<int>> WithSettings(Func<CommandContext, CancellationToken, Task<int>> command, bool logLoaded = false) =>
        async (parse, cancellationToken) =>
        {
            var level = parse.GetValue(_logLevel);
            using var startupLogs = LoggerFactory.Create(logging => logging.AddTrafficMonitorConsole(level));
            var logger = startupLogs.CreateLogger("TrafficMonitor");
            var settings = await LoadSettingsAsync(parse, logger, logLoaded).ConfigureAwait(false);
            return settings is null
                ? ExitCodes.Config
                : await command(new CommandContext(parse, settings, level, logger), cancellationToken).ConfigureAwait(false);
        };

    private async Task<TrafficMonitorSettings?> LoadSettingsAsync(ParseResult parse, ILogger logger, bool logLoaded = true)
    {
        try
        {
            var (path, origin) = ConfigLocator.Locate(parse.GetValue(_config), getEnvironment);
            var settings = ConfigLoader.Load(path, StateDirectory.Default(), getEnvironment);
            if (logLoaded)
            {
                CliLog.SettingsLoaded(logger, path, origin);
            }

            return settings;
        }
        catch (ConfigException e)
        {
            await error.WriteLineAsync($"traffic-monitor: invalid configuration{(e.File is null ? string.Empty : $" in {e.File}")}:").ConfigureAwait(false);
            foreach (var problem in e.Problems)
            {
                await error.WriteLineAsync($"  {problem}").ConfigureAwait(false);
            }

            return null;
        }
    }

    private ServiceProvider BuildServices(TrafficMonitorSettings settings, RunMode runMode, LogLevel level)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddTrafficMonitorConsole(level));
        services.AddTrafficMonitor(settings, runMode);
        configureServices?.Invoke(services);
        return services.BuildServiceProvider();
    }

    /// <summary>How long a stop request waits for the check in progress: usage read, two delivery rounds and the action, with room to spare.</summary>
    private static TimeSpan LongestCheck(TrafficMonitorSettings settings)
    {
        var timeouts = settings.Webhooks.Select(w => w.Timeout)
            .Append(settings.Email?.Timeout ?? TimeSpan.Zero)
            .Append(settings.Telegram?.Timeout ?? TimeSpan.Zero);
        var notification = timeouts.Max() + TimeSpan.FromSeconds(1);
        return Configuration.VnStatOptions.CommandTimeout + (2 * notification) + Actions.ShutdownAction.CommandTimeout + TimeSpan.FromSeconds(10);
    }
}
