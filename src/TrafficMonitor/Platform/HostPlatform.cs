using TrafficMonitor.Platform.Linux;
using TrafficMonitor.Platform.MacOS;
using TrafficMonitor.Platform.Services;
using TrafficMonitor.Platform.Unix;
using TrafficMonitor.Platform.Windows;

namespace TrafficMonitor.Platform;

/// <summary>
/// Everything that differs between the operating systems we run on. The OS is told once, in <see cref="Current"/>;
/// code asks the description instead of testing the OS, so each flavour can be checked on any OS.
/// </summary>
public abstract class HostPlatform
{
    public static HostPlatform Linux { get; } = new LinuxPlatform();

    public static HostPlatform MacOS { get; } = new MacOSPlatform();

    public static HostPlatform Windows { get; } = new WindowsPlatform();

    /// <summary>Any other Unix (FreeBSD): the Linux paths and rules, but no <c>/proc/net/dev</c>.</summary>
    public static HostPlatform OtherUnix { get; } = new UnixPlatform();

    /// <summary>The one place the program tests which OS it runs on.</summary>
    public static HostPlatform Current { get; } =
        OperatingSystem.IsWindows() ? Windows
        : OperatingSystem.IsMacOS() ? MacOS
        : OperatingSystem.IsLinux() ? Linux
        : OtherUnix;

    public abstract string Name { get; }

    public abstract IShutdownCommand Shutdown { get; }

    /// <summary>Where the settings file is looked for last, and where the example says to copy it.</summary>
    public abstract string SystemSettingsPath(ProcessEnvironment process);

    /// <summary>The default for <c>monitor.state_dir</c>.</summary>
    public abstract string DefaultStateDirectory(ProcessEnvironment process);

    /// <summary>Whether <c>eth0.100</c> names a VLAN on <c>eth0</c>: its frames cross the parent link and are counted there.</summary>
    public abstract bool DottedNamesAreVlans { get; }

    /// <summary>Whether the kernel's counters are read from <c>/proc/net/dev</c> (with a boot id), rather than System.Net.NetworkInformation.</summary>
    public abstract bool HasProcNetDev { get; }

    /// <summary>How <c>install-service</c> makes the monitor a service here; null where the OS has no installer of ours.</summary>
    public virtual IServiceInstaller? ServiceInstaller => null;

    /// <summary>
    /// Gives back what the daemon holds but no longer uses (<see cref="Monitoring.MemoryRelease"/> says when): a
    /// compacting GC that returns the free heap to the OS. Left to itself the GC collects when the allocations reach a
    /// budget sized from the CPU's cache: a daemon allocating a little a check touches fresh pages until then (24.6
    /// MiB resident after ~500 checks, and start-up's 3.4 MiB of garbage stays meanwhile). Measured in docs/benchmarks.md.
    /// </summary>
    public virtual void ReleaseMemory() => GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    public override string ToString() => Name;
}
