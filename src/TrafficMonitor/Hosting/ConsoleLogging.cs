using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
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
        // Framework chatter (host lifetime, HTTP) stays out unless asked for at the most verbose levels.
        logging.AddFilter("Microsoft", minimumLevel <= LogLevel.Debug ? minimumLevel : LogLevel.Warning);
        if (Journal.StderrIsJournal)
        {
            logging.AddSystemdConsole(options =>
            {
                options.IncludeScopes = false;
                options.TimestampFormat = null;
            });
        }
        else
        {
            logging.AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.TimestampFormat = "yyyy-MM-dd HH:mm:ss ";
                options.IncludeScopes = false;
            });
        }

        logging.Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        return logging;
    }
}
