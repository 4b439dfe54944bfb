using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TrafficMonitor.Configuration;

namespace TrafficMonitor.Monitoring;

/// <summary>Runs a check every <c>monitor.check_interval</c> until the host stops; a stop request lets the check in progress finish.</summary>
public sealed partial class MonitorService(
    QuotaCheck check,
    MonitorOptions options,
    TimeProvider timeProvider,
    ILogger<MonitorService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(DurationParser.Format(options.CheckInterval));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await check.RunAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // A bug in one check must not end monitoring; the next check may well succeed.
                LogCheckCrashed(e);
            }

            try
            {
                await Task.Delay(options.CheckInterval, timeProvider, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        LogStopped();
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Monitoring started: checking every {Interval}")]
    private partial void LogStarted(string interval);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "Monitoring stopped")]
    private partial void LogStopped();

    [LoggerMessage(EventId = 22, Level = LogLevel.Error, Message = "The check failed unexpectedly; trying again at the next one")]
    private partial void LogCheckCrashed(Exception exception);
}
