using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TrafficMonitor.Platform;
using TrafficMonitor.Usage.SystemCounters.Linux;
using TrafficMonitor.Usage.SystemCounters.NetworkInformation;

namespace TrafficMonitor.Usage.SystemCounters;

public static class InterfaceCountersRegistration
{
    /// <summary>
    /// The one place the counters' reader is chosen, from the registered <see cref="HostPlatform"/>: Linux reads
    /// <c>/proc/net/dev</c> (it has a boot id); Windows and macOS ask System.Net.NetworkInformation.
    /// </summary>
    public static IServiceCollection AddInterfaceCounters(this IServiceCollection services)
    {
        services.TryAddSingleton<IInterfaceCounters>(sp => sp.GetRequiredService<HostPlatform>().HasProcNetDev
            ? new LinuxInterfaceCounters(new OSFileSystem(), sp.GetRequiredService<TimeProvider>())
            : new NetworkInformationCounters(sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
