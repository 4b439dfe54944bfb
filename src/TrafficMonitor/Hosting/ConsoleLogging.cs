using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace TrafficMonitor.Hosting;

public static class ConsoleLogging
{
    /// <summary>One line per event on stderr, so that stdout stays clean for <c>status --json</c>.</summary>
    public static ILoggingBuilder AddTrafficMonitorConsole(this ILoggingBuilder logging, LogLevel minimumLevel)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(minimumLevel);
        // Framework chatter (host lifetime, HTTP) stays out unless asked for at the most verbose levels.
        logging.AddFilter("Microsoft", minimumLevel <= LogLevel.Debug ? minimumLevel : LogLevel.Warning);
        logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "yyyy-MM-dd HH:mm:ss ";
            options.IncludeScopes = false;
        });
        logging.Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        return logging;
    }
}
