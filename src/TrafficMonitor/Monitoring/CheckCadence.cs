using TrafficMonitor.Configuration;
using TrafficMonitor.Quota;

namespace TrafficMonitor.Monitoring;

/// <summary>
/// When to check next, pure. A threshold is a stage, the critical point, or the point of an enforcement step.
/// Far from a threshold: every <c>check_interval</c>. Near one: no later than the time the
/// interfaces would need to reach it at full speed, down to <see cref="MonitorOptions.FastCheckInterval"/>, so a
/// threshold is never passed by more than a fraction of a second of traffic, yet an idle month is not polled fast.
/// </summary>
public static class CheckCadence
{
    /// <summary>The observed rate is doubled: traffic that just started may still be speeding up.</summary>
    private const int ObservedRateMargin = 2;

    /// <param name="lineRate">Bytes per second per direction the counted interfaces can move, when known.</param>
    /// <param name="observedRate">Counted bytes per second between the last two checks, when known.</param>
    /// <param name="stepPoints">Where each enforcement step starts (actions.rules): a threshold like a stage.</param>
    public static TimeSpan NextDelay(
        TimeSpan checkInterval, ThresholdsOptions thresholds, MonitorOptions monitor, long counted, long? lineRate, double? observedRate,
        IEnumerable<long>? stepPoints = null)
    {
        long? next = counted < thresholds.CriticalBytes ? thresholds.CriticalBytes : null;
        foreach (var point in (stepPoints ?? []).Append(AlertPolicy.NextStage(thresholds, counted) ?? long.MaxValue))
        {
            if (point > counted && point != long.MaxValue && (next is null || point < next))
            {
                next = point;
            }
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
