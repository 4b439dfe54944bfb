using System.Globalization;
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

    /// <summary>Throws <see cref="OverflowException"/> past 2^63 (decimal to long always checks).</summary>
    public long Scale(long bytes) => Percent == 0 ? bytes : (long)Math.Round(bytes * (1 + (Percent / 100)), MidpointRounding.AwayFromZero);
}

/// <summary>
/// The period's usage across the counted interfaces, as read from a source. Every sum is checked: a sum past 2^63
/// bytes would wrap to a negative number, which the floor at zero turns into "0 B used", a full quota read as
/// empty. Sources return readings through <see cref="Verified"/>, so an impossible one never reaches a decision.
/// </summary>
public sealed record UsageReading(string Source, BillingPeriod Period, IReadOnlyList<InterfaceUsage> Interfaces, DateTimeOffset? DataUpdatedAt)
{
    /// <summary>
    /// How fast the counted interfaces can move together, in bytes per second per direction, when the source knows:
    /// it decides how close to a threshold the checks come faster.
    /// </summary>
    public long? LineRate { get; init; }

    public UsageAdjustment? Adjustment { get; init; }

    /// <summary>
    /// The provider's own meter combined with these counters (<c>provider_api</c>): when set, it is what counts, in
    /// the provider's measure (Hetzner: sent bytes), and <see cref="Counted"/> returns its billed figure.
    /// </summary>
    public ProviderApi.ProviderFigures? Provider { get; init; }

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
    public long MeasuredRx => Total(static i => i.Rx);

    public long MeasuredTx => Total(static i => i.Tx);

    public long Rx => Adjustment is { } a ? Math.Max(0, checked(a.Scale(MeasuredRx) + a.RxOffset)) : MeasuredRx;

    public long Tx => Adjustment is { } a ? Math.Max(0, checked(a.Scale(MeasuredTx) + a.TxOffset)) : MeasuredTx;

    public long Counted(CountMode mode) =>
        Provider is { } provider ? provider.BilledBytes : Math.Max(0, checked(Count(mode, Rx, Tx) + (Adjustment?.CountedOffset ?? 0)));

    /// <summary>What <c>set-usage</c> added to the counted bytes, on top of <c>adjust_percent</c> (nothing when the provider's meter counts).</summary>
    public long CalibrationOffset(CountMode mode) => Provider is not null
        ? 0
        : checked(Counted(mode) - Count(mode, Adjustment?.Scale(MeasuredRx) ?? MeasuredRx, Adjustment?.Scale(MeasuredTx) ?? MeasuredTx));

    /// <summary>The thresholds to decide on: the configured ones, with the provider's limit when <c>total_limit: provider</c>.</summary>
    public ThresholdsOptions Thresholds(ThresholdsOptions configured) =>
        configured.LimitFromProvider && Provider?.LimitBytes is { } limit ? configured.WithTotalLimit(limit) : configured;

    public static long Count(CountMode mode, long rx, long tx) => mode switch
    {
        CountMode.Rx => rx,
        CountMode.Tx => tx,
        CountMode.Max => Math.Max(rx, tx),
        _ => checked(rx + tx),
    };

    /// <summary>
    /// This reading, once every number derived from it is known to be possible: no negative count, no sum past 2^63
    /// bytes (8 EiB, more than any link moves in a billing period). Otherwise the data is bad and
    /// <see cref="UsageUnavailableException"/> says where it came from, so the check decides nothing.
    /// </summary>
    public UsageReading Verified()
    {
        if (Interfaces.FirstOrDefault(i => i.Rx < 0 || i.Tx < 0) is { } negative)
        {
            throw new UsageUnavailableException(
                $"{Source} reported a negative byte count for {negative.Name} (rx {negative.Rx}, tx {negative.Tx}) in the period {Period}: its data is damaged");
        }

        try
        {
            _ = (MeasuredRx, MeasuredTx);
        }
        catch (OverflowException)
        {
            throw new UsageUnavailableException(
                $"{Source}'s counts for {string.Join(", ", Interfaces.Select(i => i.Name))} in the period {Period} add up to more than 2^63 bytes " +
                $"(8 EiB; per interface: {PerInterface()}), which no link moves: its data is damaged");
        }

        try
        {
            foreach (var mode in Enum.GetValues<CountMode>())
            {
                _ = (Counted(mode), CalibrationOffset(mode));
            }
        }
        catch (OverflowException)
        {
            var measured = Adjustment is null
                ? "rx plus tx"
                : $"with adjust_percent {Adjustment.Percent.ToString(CultureInfo.InvariantCulture)}% and the set-usage offsets (rx {Adjustment.RxOffset}, tx {Adjustment.TxOffset}, counted {Adjustment.CountedOffset}), the count";
            throw new UsageUnavailableException(
                $"{Source} measured rx {MeasuredRx}, tx {MeasuredTx} bytes in the period {Period}; {measured} passes 2^63 bytes (8 EiB), which no link moves: " +
                (Adjustment is null ? "its data is damaged" : "correct the calibration with 'traffic-monitor set-usage'") + "");
        }

        return this;
    }

    private long Total(Func<InterfaceUsage, long> bytes)
    {
        long total = 0;
        foreach (var usage in Interfaces)
        {
            total = checked(total + bytes(usage));
        }

        return total;
    }

    private string PerInterface() => string.Join(", ", Interfaces.Select(i => $"{i.Name} rx {i.Rx}, tx {i.Tx}"));
}

/// <summary>Usage could not be read or cannot be trusted; <see cref="Exception.Message"/> says why and what to do.</summary>
public sealed class UsageUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Where the period's usage comes from (vnStat, the OS counters, …).</summary>
public interface IUsageSource
{
    string Name { get; }

    Task<UsageReading> ReadAsync(BillingPeriod period, CancellationToken cancellationToken);
}
