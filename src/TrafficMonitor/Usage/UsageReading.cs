using TrafficMonitor.Configuration;
using TrafficMonitor.Quota;

namespace TrafficMonitor.Usage;

/// <summary>Bytes one interface moved in the billing period so far.</summary>
public sealed record InterfaceUsage(string Name, long Rx, long Tx);

/// <summary>The period's usage across the counted interfaces, as read from a source.</summary>
public sealed record UsageReading(string Source, BillingPeriod Period, IReadOnlyList<InterfaceUsage> Interfaces, DateTimeOffset? DataUpdatedAt)
{
    public long Rx => Interfaces.Sum(i => i.Rx);

    public long Tx => Interfaces.Sum(i => i.Tx);

    public long Counted(CountMode mode) => mode switch
    {
        CountMode.Rx => Rx,
        CountMode.Tx => Tx,
        CountMode.Max => Math.Max(Rx, Tx),
        _ => Rx + Tx,
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
