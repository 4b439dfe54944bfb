using TrafficMonitor.Platform.Linux;
using TrafficMonitor.Platform.Services;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Platform.Services;

/// <summary>
/// The systemd unit install-service writes, and the one in deploy/systemd/ that packages install: the same text,
/// accepted by <c>systemd-analyze verify</c>, hardened as far as the configured actions allow. Nothing is installed,
/// enabled or started on this machine: install-service runs with --dry-run, or with --root under a temporary directory.
/// </summary>
public sealed class SystemdServiceTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static string RepositoryRoot()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "TrafficMonitor.slnx")))
        {
            root = Path.GetDirectoryName(root)!;
        }

        return root;
    }

    private static ServiceDefinition Definition(
        string program = "/usr/local/bin/traffic-monitor", string settings = "/etc/traffic-monitor/settings.yaml", string? stateDir = null, bool shutdown = true, bool native = true, bool settingsReadable = true,
        bool shapesTraffic = false, bool ownGroup = false) =>
        new([program], settings, stateDir ?? SystemdServiceInstaller.DefaultStateDirectory, stateDir is null, shutdown, native, settingsReadable, shapesTraffic, ownGroup);

    private static string[] Lines(string unit) => unit.Split('\n');

    /// <summary>Runs systemd-analyze verify on <paramref name="unit"/> saved as traffic-monitor.service; the program it starts must exist, so a stand-in takes its path.</summary>
    private (int ExitCode, string Output) Verify(string unit, string program)
    {
        var standIn = _directory.Write("bin/traffic-monitor", "#!/bin/sh\n");
        File.SetUnixFileMode(standIn, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var file = _directory.Write("unit/traffic-monitor.service", unit.Replace($"ExecStart={program} ", $"ExecStart={standIn} ", StringComparison.Ordinal));
        var (exitCode, output, error) = Programs.TryRun("systemd-analyze", "verify", file);
        return (exitCode, output + error);
    }

    [Fact]
    public void DeployUnit_IsTheUnitInstallServiceWritesForThePackage()
    {
        var deployed = File.ReadAllText(Path.Combine(RepositoryRoot(), "deploy", "systemd", "traffic-monitor.service"));

        Assert.Equal(SystemdServiceInstaller.Render(SystemdServiceInstaller.Packaged).Unit, deployed);
    }

    [Fact]
    public void DeployUnit_PassesSystemdAnalyzeVerify()
    {
        var deployed = File.ReadAllText(Path.Combine(RepositoryRoot(), "deploy", "systemd", "traffic-monitor.service"));

        var (exitCode, output) = Verify(deployed, "/usr/bin/traffic-monitor");

        Assert.True(exitCode == 0, output);
        Assert.Equal(string.Empty, output.Trim());
    }

    [Theory]
    [InlineData(true, null, false)]
    [InlineData(false, null, false)]
    [InlineData(true, "/srv/traffic", false)]
    [InlineData(false, "/srv/traffic", false)]
    [InlineData(true, null, true)]
    [InlineData(false, null, true)]
    public void Render_EveryVariant_PassesSystemdAnalyzeVerify(bool shutdown, string? stateDir, bool block)
    {
        var (unit, _) = SystemdServiceInstaller.Render(Definition(shutdown: shutdown, stateDir: stateDir, shapesTraffic: block, ownGroup: block));

        var (exitCode, output) = Verify(unit, "/usr/local/bin/traffic-monitor");

        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public void Render_ShutdownEnabled_RootWithOnlyCapSysBoot()
    {
        var (unit, _) = SystemdServiceInstaller.Render(Definition(shutdown: true));

        Assert.Contains("User=root", Lines(unit));
        Assert.Contains("CapabilityBoundingSet=CAP_SYS_BOOT", Lines(unit));
        Assert.DoesNotContain("DynamicUser=yes", Lines(unit));
    }

    [Fact]
    public void Render_BlockLettingItsOwnTrafficOut_RootInItsOwnGroupWithCapNetAdmin()
    {
        var (unit, notes) = SystemdServiceInstaller.Render(Definition(shutdown: true, shapesTraffic: true, ownGroup: true));

        Assert.Contains("User=root", Lines(unit));
        // In group root, the block's "the monitor's own group" would be every root process's.
        Assert.Contains("Group=traffic-monitor", Lines(unit));
        Assert.Contains("CapabilityBoundingSet=CAP_SYS_BOOT CAP_NET_ADMIN", Lines(unit));
        Assert.Contains(notes, n => n.Contains("system group traffic-monitor", StringComparison.Ordinal));
    }

    [Fact]
    public void Render_ThrottleWithoutShutdown_RootWithOnlyCapNetAdminAndNoGroup()
    {
        // tc needs CAP_NET_ADMIN, which a dynamic user does not get; a throttle lets nothing out by group.
        var (unit, _) = SystemdServiceInstaller.Render(Definition(shutdown: false, shapesTraffic: true));

        Assert.Contains("User=root", Lines(unit));
        Assert.Contains("CapabilityBoundingSet=CAP_NET_ADMIN", Lines(unit));
        Assert.DoesNotContain("DynamicUser=yes", Lines(unit));
        Assert.DoesNotContain(Lines(unit), l => l.StartsWith("Group=", StringComparison.Ordinal));
    }

    [Fact]
    public void Install_OwnGroup_CreatesTheGroupBeforeTheUnitNamesIt()
    {
        var plan = new SystemdServiceInstaller().Install(Definition(shapesTraffic: true, ownGroup: true));

        Assert.Equal(["groupadd", "--system", "--force", "traffic-monitor"], Assert.IsType<RunStep>(plan.Steps[0]).Command);
        Assert.IsType<WriteFileStep>(plan.Steps[1]);
    }

    [Fact]
    public void Render_NoActionNeedingPrivileges_DynamicUserWithoutCapabilities()
    {
        var (unit, _) = SystemdServiceInstaller.Render(Definition(shutdown: false));

        Assert.Contains("DynamicUser=yes", Lines(unit));
        Assert.Contains("CapabilityBoundingSet=", Lines(unit));
        // Unprivileged, the monitor's default state directory is $XDG_STATE_HOME/traffic-monitor: the StateDirectory= one.
        Assert.Contains("Environment=XDG_STATE_HOME=/var/lib", Lines(unit));
        Assert.Contains("StateDirectory=traffic-monitor", Lines(unit));
    }

    [Fact]
    public void Render_NoActionButSettingsOnlyItsOwnerReads_RootWithoutCapabilities()
    {
        // As the .deb ships the settings (0600): a dynamic user could not read them and the service would exit 78.
        var (unit, notes) = SystemdServiceInstaller.Render(Definition(shutdown: false, settingsReadable: false));

        Assert.Contains("User=root", Lines(unit));
        Assert.Contains("CapabilityBoundingSet=", Lines(unit));
        Assert.DoesNotContain("DynamicUser=yes", Lines(unit));
        Assert.Contains("StateDirectory=traffic-monitor", Lines(unit));
        Assert.Contains(notes, n => n.Contains("chmod 0644", StringComparison.Ordinal));
        Assert.Equal(0, Verify(unit, "/usr/local/bin/traffic-monitor").ExitCode);
    }

    [Fact]
    public void Render_TheServiceManagerContract()
    {
        var (unit, _) = SystemdServiceInstaller.Render(Definition());

        Assert.Contains("Type=notify", Lines(unit));
        Assert.Contains("NotifyAccess=main", Lines(unit));
        Assert.Contains("ExecStart=/usr/local/bin/traffic-monitor run --config /etc/traffic-monitor/settings.yaml", Lines(unit));
        Assert.Contains("ExecReload=/bin/sh -c 'kill -HUP \"$$MAINPID\"'", Lines(unit));
        Assert.Contains("StateDirectory=traffic-monitor", Lines(unit));
        Assert.Contains("StateDirectoryMode=0700", Lines(unit));
        Assert.Contains("RuntimeDirectory=traffic-monitor", Lines(unit));
        Assert.Contains("ProtectSystem=strict", Lines(unit));
        Assert.Contains("ProtectHome=yes", Lines(unit));
        Assert.Contains("PrivateTmp=yes", Lines(unit));
        Assert.Contains("MemoryDenyWriteExecute=yes", Lines(unit));
    }

    [Fact]
    public void Render_OwnStateDirectory_WritableThereAndCreatedFirst()
    {
        var plan = new SystemdServiceInstaller().Install(Definition(stateDir: "/srv/traffic monitor"));

        var unit = Assert.IsType<WriteFileStep>(plan.Steps[1]).Content;
        Assert.Contains("ReadWritePaths=\"/srv/traffic monitor\"", Lines(unit));
        Assert.DoesNotContain("StateDirectory=traffic-monitor", Lines(unit));
        Assert.Equal(new CreateDirectoryStep("/srv/traffic monitor"), plan.Steps[0]);
    }

    [Fact]
    public void Render_ProgramUnderHomeOrTmp_LoosensOnlyWhatItMustAndSaysSo()
    {
        var (home, homeNotes) = SystemdServiceInstaller.Render(Definition(program: "/root/bin/traffic-monitor"));
        var (tmp, tmpNotes) = SystemdServiceInstaller.Render(Definition(settings: "/tmp/settings.yaml"));

        Assert.Contains("ProtectHome=read-only", Lines(home));
        Assert.Contains(homeNotes, n => n.Contains("/home or /root", StringComparison.Ordinal));
        Assert.DoesNotContain("PrivateTmp=yes", Lines(tmp));
        Assert.Contains("ProtectHome=yes", Lines(tmp));
        Assert.Contains(tmpNotes, n => n.Contains("/tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void Render_DotnetAndAnAssembly_NoMemoryDenyWriteExecute()
    {
        var service = new ServiceDefinition(["/usr/share/dotnet/dotnet", "/opt/tm/traffic-monitor.dll"], "/etc/tm.yaml", "/var/lib/traffic-monitor", true, true, NativeCode: false, SettingsReadableByOthers: true);

        var (unit, notes) = SystemdServiceInstaller.Render(service);

        Assert.Contains("ExecStart=/usr/share/dotnet/dotnet /opt/tm/traffic-monitor.dll run --config /etc/tm.yaml", Lines(unit));
        Assert.DoesNotContain("MemoryDenyWriteExecute=yes", Lines(unit));
        Assert.Contains(notes, n => n.Contains("Native AOT", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/usr/bin/traffic-monitor", "/usr/bin/traffic-monitor")]
    [InlineData("/opt/my tools/tm", "\"/opt/my tools/tm\"")]
    [InlineData("/etc/100%.yaml", "/etc/100%%.yaml")]
    [InlineData("/etc/$HOME.yaml", "/etc/$$HOME.yaml")]
    [InlineData("/etc/a\"b", "\"/etc/a\\\"b\"")]
    public void Quote_SpacesQuotesAndSpecifiers(string word, string expected) =>
        Assert.Equal(expected, SystemdServiceInstaller.Quote(word));

    [Fact]
    public void Install_Plan_WritesTheUnitThenReloadsAndEnablesNow()
    {
        var plan = new SystemdServiceInstaller().Install(Definition());

        Assert.Collection(
            plan.Steps,
            step => Assert.Equal("/etc/systemd/system/traffic-monitor.service", Assert.IsType<WriteFileStep>(step).Path),
            step => Assert.Equal(["systemctl", "daemon-reload"], Assert.IsType<RunStep>(step).Command),
            step => Assert.Equal(["systemctl", "enable", "--now", "traffic-monitor.service"], Assert.IsType<RunStep>(step).Command));
    }

    [Fact]
    public void Uninstall_Plan_DisablesRemovesAndReloads()
    {
        var plan = new SystemdServiceInstaller().Uninstall();

        Assert.Collection(
            plan.Steps,
            step => Assert.Equal(["systemctl", "disable", "--now", "traffic-monitor.service"], Assert.IsType<RunStep>(step).Command),
            step => Assert.Equal("/etc/systemd/system/traffic-monitor.service", Assert.IsType<DeleteFileStep>(step).Path),
            step => Assert.Equal(["systemctl", "daemon-reload"], Assert.IsType<RunStep>(step).Command));
    }
}
