namespace TrafficMonitor.Usage.SystemCounters;

/// <summary>One interface's raw byte counters as the OS reports them: they start at zero when it appears.</summary>
public readonly record struct CounterSample(string Name, ulong Rx, ulong Tx);

/// <summary>
/// Every interface's counters at one moment, and the boot they belong to: counters from another boot are not
/// comparable, since the kernel started them again from zero.
/// </summary>
public sealed record CountersSnapshot(string? BootId, DateTimeOffset? BootedAt, IReadOnlyList<CounterSample> Interfaces, int CounterBits = 64);

/// <summary>The OS's interface byte counters. Linux reads /proc; other systems go through System.Net.NetworkInformation.</summary>
public interface IInterfaceCounters
{
    CountersSnapshot Read();

    /// <summary>The interface's nominal speed in bits per second, or null when the OS does not say (virtual and many VM NICs).</summary>
    long? LinkSpeed(string name);
}

public static class InterfaceCountersExtensions
{
    /// <summary>Assumed when the OS does not give a link speed (virtual and most VM NICs): high, so checks tighten early rather than late.</summary>
    public const long UnknownLinkSpeedBitsPerSecond = 10_000_000_000;

    /// <summary>The bytes per second the interfaces can carry together at full speed.</summary>
    public static long LineRate(this IInterfaceCounters counters, IEnumerable<string> names) =>
        names.Sum(name => (counters.LinkSpeed(name) ?? UnknownLinkSpeedBitsPerSecond) / 8);
}
