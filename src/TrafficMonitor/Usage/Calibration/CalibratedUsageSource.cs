using TrafficMonitor.Configuration;
using TrafficMonitor.Quota;

namespace TrafficMonitor.Usage.Calibration;

/// <summary>Any usage source, with <c>monitor.adjust_percent</c> and this period's <c>set-usage</c> offsets applied.</summary>
public sealed class CalibratedUsageSource(IUsageSource inner, CalibrationStore store, MonitorOptions monitor) : IUsageSource
{
    public string Name => inner.Name;

    public IUsageSource Inner => inner;

    public async Task<UsageReading> ReadAsync(BillingPeriod period, CancellationToken cancellationToken)
    {
        var reading = await inner.ReadAsync(period, cancellationToken).ConfigureAwait(false);
        var calibration = store.Current() is { } c && c.PeriodStart == period.Start ? c : null;
        var adjustment = new UsageAdjustment(monitor.AdjustPercent, calibration?.RxOffset ?? 0, calibration?.TxOffset ?? 0, calibration?.CountedOffset ?? 0);
        return (adjustment.IsNone ? reading : reading with { Adjustment = adjustment }).Verified();
    }

    /// <summary>
    /// Offsets that make this reading count <paramref name="counted"/> (and, when given, <paramref name="rx"/> and
    /// <paramref name="tx"/>), after adjust_percent. Throws <see cref="UsageUnavailableException"/> when the numbers
    /// pass 2^63 bytes.
    /// </summary>
    public static Calibration Calibrate(UsageReading measured, CountMode mode, decimal adjustPercent, long counted, long? rx, long? tx, DateTimeOffset now)
    {
        try
        {
            var scale = new UsageAdjustment(adjustPercent, 0, 0, 0);
            var scaledRx = scale.Scale(measured.MeasuredRx);
            var scaledTx = scale.Scale(measured.MeasuredTx);
            var rxOffset = rx is { } r ? checked(r - scaledRx) : 0;
            var txOffset = tx is { } t ? checked(t - scaledTx) : 0;
            var countedOffset = checked(counted - UsageReading.Count(mode, checked(scaledRx + rxOffset), checked(scaledTx + txOffset)));
            return new Calibration(measured.Period.Start, rxOffset, txOffset, countedOffset, now);
        }
        catch (OverflowException)
        {
            throw new UsageUnavailableException(
                $"the calibration passes 2^63 bytes (8 EiB) (measured rx {measured.MeasuredRx}, tx {measured.MeasuredTx}, adjust_percent {adjustPercent.ToString(System.Globalization.CultureInfo.InvariantCulture)}%, asked for {counted}): no link moves that much");
        }
    }
}
