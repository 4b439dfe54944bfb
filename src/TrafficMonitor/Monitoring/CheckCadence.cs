using TrafficMonitor.Configuration;
using TrafficMonitor.Quota;

namespace TrafficMonitor.Monitoring;

/// <summary>
/// When to check next, pure. Far from a threshold: every <c>check_interval</c>. Near one: no later than the time the
/// interfaces would need to reach it at full speed, down to <see cref="MonitorOptions.FastCheckInterval"/>, so a
/// threshold is never passed by more than a fraction of a second of traffic, yet an idle month is not polled fast.
/// </summary>
public static class CheckCadence
{
    /// <summary>The observed rate is doubled: traffic that just started may still be speeding up.</summary>
    private const int ObservedRateMargin = 2;

    /// <param name="lineRate">Bytes per second per direction the counted interfaces can move, when known.</param>
    /// <param name="observedRate">Counted bytes per second between the last two checks, when known.</param>
    public static TimeSpan NextDelay(
        TimeSpan checkInterval, ThresholdsOptions thresholds, MonitorOptions monitor, long counted, long? lineRate, double? observedRate)
    {
        long? next = counted < thresholds.CriticalBytes ? thresholds.CriticalBytes : null;
        if (AlertPolicy.NextStage(thresholds, counted) is { } stage && (next is null || stage < next))
        {
            next = stage;
        }

        // Total counts both directions of a full-duplex link.
        var directions = monitor.Count == CountMode.Total ? 2 : 1;
        var scale = (double)Math.Max(1m, 1 + (monitor.AdjustPercent / 100));
        var fastest = Math.Max((lineRate ?? 0) * directions * scale, (observedRate ?? 0) * ObservedRateMargin);
        if (next is not { } threshold || fastest <= 0)
        {
            return checkInterval;
        }

        var secondsToThreshold = (threshold - counted) / fastest;
        return secondsToThreshold >= checkInterval.TotalSeconds ? checkInterval
            : secondsToThreshold <= MonitorOptions.FastCheckInterval.TotalSeconds ? MonitorOptions.FastCheckInterval
            : TimeSpan.FromSeconds(secondsToThreshold);
    }
}
