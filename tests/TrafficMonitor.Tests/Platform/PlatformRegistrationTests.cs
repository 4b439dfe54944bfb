using Microsoft.Extensions.DependencyInjection;
using TrafficMonitor.Configuration;
using TrafficMonitor.Enforcement;
using TrafficMonitor.Hosting;
using TrafficMonitor.Monitoring;
using TrafficMonitor.Platform;
using TrafficMonitor.Tests.Components;
using TrafficMonitor.Usage.SystemCounters;
using TrafficMonitor.Usage.SystemCounters.Linux;
using TrafficMonitor.Usage.SystemCounters.NetworkInformation;

namespace TrafficMonitor.Tests.Platform;

/// <summary>The registered <see cref="HostPlatform"/> alone decides the OS-specific services; nothing else asks the OS.</summary>
public sealed class PlatformRegistrationTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private ServiceProvider Services(HostPlatform platform)
    {
        var settings = ConfigLoader.Parse(TestSettings.Yaml(_directory.Combine("state")), "test.yaml", "/unused");
        return new ServiceCollection().AddLogging().AddSingleton(platform).AddTrafficMonitor(settings, RunMode.DryRun).BuildServiceProvider();
    }

    [Fact]
    public void AddTrafficMonitor_Linux_ReadsProcNetDevAndShutsDownTheUnixWay()
    {
        using var services = Services(HostPlatform.Linux);
        Assert.IsType<LinuxInterfaceCounters>(services.GetRequiredService<IInterfaceCounters>());
        Assert.Equal(["shutdown", "-h", "+1"], Assert.Single(services.GetServices<IEnforcementStep>()).Command.Take(3));
    }

    [Theory]
    [InlineData("Windows", "/s")]
    [InlineData("macOS", "-h")]
    public void AddTrafficMonitor_WindowsOrMacOS_AsksNetworkInformationAndUsesTheirShutdown(string name, string haltFlag)
    {
        using var services = Services(name == "Windows" ? HostPlatform.Windows : HostPlatform.MacOS);
        Assert.IsType<NetworkInformationCounters>(services.GetRequiredService<IInterfaceCounters>());
        Assert.Equal(haltFlag, Assert.Single(services.GetServices<IEnforcementStep>()).Command[1]);
    }
}
