using TrafficMonitor.Platform.Services;
using TrafficMonitor.Platform.Unix;

namespace TrafficMonitor.Platform.MacOS;

/// <summary>Unix, but state lives where macOS keeps application data, and counters come from NetworkInformation.</summary>
public sealed class MacOSPlatform : UnixPlatform
{
    public override IServiceInstaller ServiceInstaller { get; } = new LaunchdServiceInstaller();

    public override string Name => "macOS";

    public override string DefaultStateDirectory(ProcessEnvironment process) => process.IsPrivileged
        ? "/Library/Application Support/traffic-monitor"
        : Path.Combine(process.UserProfile, "Library", "Application Support", "traffic-monitor");
}
