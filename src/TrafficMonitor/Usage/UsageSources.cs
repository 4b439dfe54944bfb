using TrafficMonitor.Configuration;

namespace TrafficMonitor.Usage;

/// <summary>The one place <c>monitor.provider</c> picks the own counters (the daemon's container and the short commands both ask here).</summary>
public static class UsageSources
{
    /// <summary>Only the chosen source is built; <c>monitor.provider</c> was validated against <see cref="MonitorOptions.KnownProviders"/> at load.</summary>
    public static IUsageSource OwnCounters(MonitorOptions monitor, Func<IUsageSource> system, Func<IUsageSource> vnStat, Func<IUsageSource> auto) => monitor.Provider switch
    {
        MonitorOptions.SystemProvider => system(),
        MonitorOptions.VnStatProvider => vnStat(),
        _ => auto(),
    };
}
