using TrafficMonitor.Platform.Services;
using TrafficMonitor.Platform.Unix;

namespace TrafficMonitor.Platform.Linux;

public sealed class LinuxPlatform : UnixPlatform
{
    public override IServiceInstaller ServiceInstaller { get; } = new SystemdServiceInstaller();

    public override string Name => "Linux";

    public override bool HasProcNetDev => true;

    public override void ReleaseMemory()
    {
        base.ReleaseMemory();
        ResidentPages.ReleaseExecutable();
    }
}
