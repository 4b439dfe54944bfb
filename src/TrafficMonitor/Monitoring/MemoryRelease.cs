namespace TrafficMonitor.Monitoring;

/// <summary>
/// When the daemon gives back memory it holds but no longer uses (<see cref="Platform.HostPlatform.ReleaseMemory"/>):
/// after its first check (what only start-up needed: garbage, code pages); after messages were delivered (a round
/// runs code no quiet check runs and allocates a megabyte or so); and after <see cref="AllocatedBetweenReleases"/>
/// allocated since the last time. A quiet check allocates ~30 KB, so the last comes about every half hour at the
/// defaults. A release (a full GC of a heap of ~1 MiB, and the next check faulting its code back in: a few 64 KiB
/// windows, laid out side by side by method-order.txt) costs ~9 ms of CPU, ~0.02 s an hour at the defaults.
/// </summary>
public static class MemoryRelease
{
    public const long AllocatedBetweenReleases = 1024 * 1024;

    /// <param name="Allocated">Bytes the process had allocated (<see cref="GC.GetTotalAllocatedBytes"/>).</param>
    /// <param name="DeliveryRounds">Delivery rounds finished (<see cref="QuotaCheck.DeliveryRounds"/>).</param>
    public readonly record struct Mark(long Allocated, long DeliveryRounds);

    public static bool Due(Mark? lastRelease, Mark now) =>
        lastRelease is not { } last
        || now.DeliveryRounds != last.DeliveryRounds
        || now.Allocated - last.Allocated >= AllocatedBetweenReleases;
}
