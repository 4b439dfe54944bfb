using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TrafficMonitor.Platform;
using TrafficMonitor.Usage.SystemCounters.Linux;
using TrafficMonitor.Usage.SystemCounters.NetworkInformation;

namespace TrafficMonitor.Usage.SystemCounters;

public static class InterfaceCountersRegistration
{
    /// <summary>
    /// The one place the counters' reader is chosen, from the <see cref="HostPlatform"/>: Linux reads
    /// <c>/proc/net/dev</c> (it has a boot id); Windows and macOS ask System.Net.NetworkInformation.
    /// </summary>
    public static IServiceCollection AddInterfaceCounters(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => Create(sp.GetRequiredService<HostPlatform>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    public static IInterfaceCounters Create(HostPlatform platform, TimeProvider time) => platform.HasProcNetDev
        ? new LinuxInterfaceCounters(new OSFileSystem(), time)
        : new NetworkInformationCounters(time);
}
