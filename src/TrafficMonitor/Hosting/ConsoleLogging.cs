using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using TrafficMonitor.Hosting.Systemd;

namespace TrafficMonitor.Hosting;

public static class ConsoleLogging
{
    /// <summary>
    /// One line per event on stderr, so that stdout stays clean for <c>status --json</c>. When stderr is the systemd
    /// journal, each line starts with its syslog priority (<c>&lt;6&gt;</c>) and has no timestamp: the journal keeps its own,
    /// and <c>journalctl -p warning</c> then filters by level.
    /// </summary>
    public static ILoggingBuilder AddTrafficMonitorConsole(this ILoggingBuilder logging, LogLevel minimumLevel)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(minimumLevel);
        logging.AddFilter(FrameworkCategory, FrameworkLevel(minimumLevel));
        logging.Services.AddSingleton<ILoggerProvider>(_ => CreateProvider());
        return logging;
    }

    /// <summary>
    /// The same loggers as <see cref="AddTrafficMonitorConsole"/>, built without a service container: for the short
    /// commands, whose start-up the container's run-time generic types dominated in the native binary.
    /// </summary>
    public static ILoggerFactory CreateFactory(LogLevel minimumLevel)
    {
        var filter = new LoggerFilterOptions { MinLevel = minimumLevel };
        filter.Rules.Add(new LoggerFilterRule(null, FrameworkCategory, FrameworkLevel(minimumLevel), null));
        var factory = new LoggerFactory([], filter);
        // Added, not passed to the constructor: the factory then disposes it, which writes out what is still queued.
        factory.AddProvider(CreateProvider());
        return factory;
    }

    private const string FrameworkCategory = "Microsoft";

    /// <summary>Framework chatter (host lifetime, HTTP) stays out unless asked for at the most verbose levels.</summary>
    private static LogLevel FrameworkLevel(LogLevel minimumLevel) => minimumLevel <= LogLevel.Debug ? minimumLevel : LogLevel.Warning;

    private static ConsoleLoggerProvider CreateProvider() => new(
        new FixedOptions(new ConsoleLoggerOptions { FormatterName = LogLineFormatter.FormatterName, LogToStandardErrorThreshold = LogLevel.Trace }),
        [new LogLineFormatter(Journal.StderrIsJournal)]);

    /// <summary>Options that never change: nothing here is read from configuration.</summary>
    private sealed class FixedOptions(ConsoleLoggerOptions options) : IOptionsMonitor<ConsoleLoggerOptions>
    {
        public ConsoleLoggerOptions CurrentValue => options;

        public ConsoleLoggerOptions Get(string? name) => options;

        public IDisposable? OnChange(Action<ConsoleLoggerOptions, string?> listener) => null;
    }
}
