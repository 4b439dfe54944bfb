using TrafficMonitor.Platform.Services;
namespace TrafficMonitor.Platform.Windows;

/// <summary>Settings and state share one folder under ProgramData, for a service and an admin alike.</summary>
public sealed class WindowsPlatform : HostPlatform
{
    private static readonly WindowsShutdownCommand WindowsShutdown = new();

    public override IServiceInstaller ServiceInstaller { get; } = new WindowsServiceInstaller();

    public override string Name => "Windows";

    public override IShutdownCommand Shutdown => WindowsShutdown;

    // Windows interface names are free text an admin can edit ("Ethernet 2", "Uplink v1.2"): a dot says nothing.
    public override bool DottedNamesAreVlans => false;

    public override bool HasProcNetDev => false;

    public override string SystemSettingsPath(ProcessEnvironment process) =>
        Path.Combine(process.CommonApplicationData, "traffic-monitor", "settings.yaml");

    public override string DefaultStateDirectory(ProcessEnvironment process) =>
        Path.Combine(process.CommonApplicationData, "traffic-monitor");
}
