using TrafficMonitor.Configuration;
using TrafficMonitor.Quota;

namespace TrafficMonitor.Usage;

/// <summary>Bytes one interface moved in the billing period so far.</summary>
public sealed record InterfaceUsage(string Name, long Rx, long Tx);

/// <summary>Bytes the counted interfaces moved together on one local day of the period, before any calibration.</summary>
public sealed record DayUsage(DateOnly Date, long Rx, long Tx);

/// <summary>
/// Calibration applied on top of what the interfaces moved: <c>monitor.adjust_percent</c> scales both directions,
/// then the offsets from <c>set-usage</c> (this period only) are added.
/// </summary>
public sealed record UsageAdjustment(decimal Percent, long RxOffset, long TxOffset, long CountedOffset)
{
    public bool IsNone => Percent == 0 && RxOffset == 0 && TxOffset == 0 && CountedOffset == 0;

    public long Scale(long bytes) => Percent == 0 ? bytes : (long)Math.Round(bytes * (1 + (Percent / 100)), MidpointRounding.AwayFromZero);
}

/// <summary>The period's usage across the counted interfaces, as read from a source.</summary>
public sealed record UsageReading(string Source, BillingPeriod Period, IReadOnlyList<InterfaceUsage> Interfaces, DateTimeOffset? DataUpdatedAt)
{
    /// <summary>
    /// How fast the counted interfaces can move together, in bytes per second per direction, when the source knows:
    /// it decides how close to a threshold the checks come faster.
    /// </summary>
    public long? LineRate { get; init; }

    public UsageAdjustment? Adjustment { get; init; }

    /// <summary>
    /// Per local day of the period, what the counted interfaces moved (measured, like <see cref="Interfaces"/>), from
    /// the same reading; empty when the source does not know its days. A day without traffic may be missing.
    /// </summary>
    public IReadOnlyList<DayUsage> Days { get; init; } = [];

    /// <summary>A day's counted bytes, with <c>adjust_percent</c> applied (the <c>set-usage</c> offsets belong to no day).</summary>
    public long CountedOn(DayUsage day, CountMode mode) =>
        Count(mode, Adjustment?.Scale(day.Rx) ?? day.Rx, Adjustment?.Scale(day.Tx) ?? day.Tx);

    /// <summary>Sums per-interface day rows into the period's days, oldest first.</summary>
    public static IReadOnlyList<DayUsage> SumDays(IEnumerable<(DateOnly Date, long Rx, long Tx)> rows, BillingPeriod period)
    {
        var days = new SortedDictionary<DateOnly, (long Rx, long Tx)>();
        foreach (var (date, rx, tx) in rows)
        {
            if (period.Contains(date))
            {
                var sum = days.GetValueOrDefault(date);
                days[date] = (sum.Rx + rx, sum.Tx + tx);
            }
        }

        return days.Select(d => new DayUsage(d.Key, d.Value.Rx, d.Value.Tx)).ToList();
    }

    /// <summary>What the interfaces moved, before any calibration.</summary>
    public long MeasuredRx => Interfaces.Sum(i => i.Rx);

    public long MeasuredTx => Interfaces.Sum(i => i.Tx);

    public long Rx => Adjustment is { } a ? Math.Max(0, a.Scale(MeasuredRx) + a.RxOffset) : MeasuredRx;

    public long Tx => Adjustment is { } a ? Math.Max(0, a.Scale(MeasuredTx) + a.TxOffset) : MeasuredTx;

    public long Counted(CountMode mode) => Math.Max(0, Count(mode, Rx, Tx) + (Adjustment?.CountedOffset ?? 0));

    /// <summary>What <c>set-usage</c> added to the counted bytes, on top of <c>adjust_percent</c>.</summary>
    public long CalibrationOffset(CountMode mode) =>
        Counted(mode) - Count(mode, Adjustment?.Scale(MeasuredRx) ?? MeasuredRx, Adjustment?.Scale(MeasuredTx) ?? MeasuredTx);

    public static long Count(CountMode mode, long rx, long tx) => mode switch
    {
        CountMode.Rx => rx,
        CountMode.Tx => tx,
        CountMode.Max => Math.Max(rx, tx),
        _ => rx + tx,
    };
}

/// <summary>Usage could not be read or cannot be trusted; <see cref="Exception.Message"/> says why and what to do.</summary>
public sealed class UsageUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Where the period's usage comes from (vnStat, the OS counters, …).</summary>
public interface IUsageSource
{
    string Name { get; }

    Task<UsageReading> ReadAsync(BillingPeriod period, CancellationToken cancellationToken);
}
