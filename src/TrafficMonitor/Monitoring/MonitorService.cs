using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TrafficMonitor.Configuration;
using TrafficMonitor.Hosting;
using TrafficMonitor.Hosting.Systemd;
using TrafficMonitor.Platform;

namespace TrafficMonitor.Monitoring;

/// <summary>
/// Runs a check every <c>monitor.check_interval</c>, sooner near a threshold (<see cref="CheckCadence"/>), until the
/// host stops; a stop request lets the check in progress finish.
/// </summary>
public sealed partial class MonitorService(
    QuotaCheck check,
    TrafficMonitorSettings settings,
    MonitorOptions options,
    TimeProvider timeProvider,
    HostPlatform platform,
    ILogger<MonitorService> logger,
    SystemdNotifier? notifier = null) : BackgroundService
{
    private (long Counted, long Timestamp)? _previous;
    private bool _fast;
    private MemoryRelease.Mark? _released;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(DurationParser.Format(options.CheckInterval));
        var first = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            var delay = options.CheckInterval;
            string status;
            try
            {
                var result = await check.CheckAsync(CancellationToken.None).ConfigureAwait(false);
                delay = NextDelay(result);
                status = ServiceStatusText.For(result);
                if (MemoryRelease.Due(_released, new MemoryRelease.Mark(GC.GetTotalAllocatedBytes(), check.DeliveryRounds)))
                {
                    platform.ReleaseMemory();
                    _released = new MemoryRelease.Mark(GC.GetTotalAllocatedBytes(), check.DeliveryRounds);
                }
            }
            catch (Exception e)
            {
                // A bug in one check must not end monitoring; the next check may well succeed.
                LogCheckCrashed(e);
                status = "The check failed unexpectedly (see the log); trying again at the next one";
            }

            // Ready once the settings are loaded and the first check is done, so `systemctl start` returns with usage known.
            notifier?.CheckDone(status, first);
            first = false;

            try
            {
                await Task.Delay(delay, timeProvider, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await check.WhenDeliveredAsync().ConfigureAwait(false);
        LogStopped();
    }

    private TimeSpan NextDelay(CheckResult result)
    {
        if (!options.FastChecks || result.Reading is not { } reading)
        {
            return options.CheckInterval;
        }

        var counted = reading.Counted(options.Count);
        var now = timeProvider.GetTimestamp();
        double? observed = null;
        if (_previous is { } previous && counted >= previous.Counted)
        {
            var seconds = timeProvider.GetElapsedTime(previous.Timestamp, now).TotalSeconds;
            observed = seconds > 0 ? (counted - previous.Counted) / seconds : null;
        }

        _previous = (counted, now);
        var thresholds = reading.Thresholds(settings.Thresholds);
        var delay = CheckCadence.NextDelay(options.CheckInterval, thresholds, options, counted, reading.LineRate, observed, check.StepPointsFor(thresholds));
        var fast = delay < options.CheckInterval;
        if (fast != _fast)
        {
            _fast = fast;
            if (fast)
            {
                LogCadenceTightened(DurationParser.Format(delay));
            }
            else
            {
                LogCadenceRelaxed(DurationParser.Format(options.CheckInterval));
            }
        }

        return delay;
    }

    [LoggerMessage(EventId = LogEvents.CadenceTightened, Level = LogLevel.Debug,
        Message = "A threshold is near at full line rate: checking again in {Delay} (and as often as needed until it is passed)")]
    private partial void LogCadenceTightened(string delay);

    [LoggerMessage(EventId = LogEvents.CadenceRelaxed, Level = LogLevel.Debug, Message = "No threshold near: checking every {Interval} again")]
    private partial void LogCadenceRelaxed(string interval);

    [LoggerMessage(EventId = LogEvents.MonitoringStarted, Level = LogLevel.Information, Message = "Monitoring started: checking every {Interval}")]
    private partial void LogStarted(string interval);

    [LoggerMessage(EventId = LogEvents.MonitoringStopped, Level = LogLevel.Information, Message = "Monitoring stopped")]
    private partial void LogStopped();

    [LoggerMessage(EventId = LogEvents.CheckCrashed, Level = LogLevel.Error, Message = "The check failed unexpectedly; trying again at the next one")]
    private partial void LogCheckCrashed(Exception exception);
}
