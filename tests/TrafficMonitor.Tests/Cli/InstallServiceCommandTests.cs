using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Cli;

/// <summary>
/// install-service and uninstall-service as a user runs them: --dry-run prints the unit and the commands and changes
/// nothing; --root writes under a temporary directory and runs no command. Nothing is installed on this machine.
/// </summary>
public sealed class InstallServiceCommandTests : IDisposable
{
    private const string UnitPath = "/etc/systemd/system/traffic-monitor.service";
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string Config(string shutdown = "enabled: true") =>
        _directory.Write("etc/settings.yaml", "thresholds:\n  total_limit: 2000\n  interval: 100\n  critical_percentage: 90\n" + $"actions:\n  shutdown:\n    {shutdown}\n");

    /// <summary>install-service --dry-run for settings whose ladder is this one rule.</summary>
    private CliResult DryRunWithRule(string rule) =>
        CliRunner.Run(["install-service", "--dry-run", "--config",
            _directory.Write("etc/settings.yaml", "thresholds:\n  total_limit: 2000\n  interval: 100\n  critical_percentage: 90\n" + $"actions:\n  rules:\n    - {rule}\n")]);

    [Fact]
    public void InstallService_DryRun_PrintsTheUnitAndTheCommands_AndChangesNothing()
    {
        var existed = File.Exists(UnitPath);
        var config = Config();

        var result = CliRunner.Run(["install-service", "--dry-run", "--config", config]);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains($"# Would write {UnitPath} (mode 0644):", result.Output, StringComparison.Ordinal);
        Assert.Contains("Type=notify\n", result.Output, StringComparison.Ordinal);
        Assert.Contains($" {CliRunner.ProgramPath} run --config {config}\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("# Would run:\nsystemctl daemon-reload\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("# Would run:\nsystemctl enable --now traffic-monitor.service\n", result.Output, StringComparison.Ordinal);
        Assert.Equal(existed, File.Exists(UnitPath));
    }

    [Fact]
    public void InstallService_FromAJitBuild_LeavesOutMemoryDenyWriteExecuteAndSaysWhy()
    {
        // The tests run the program on the JIT runtime, whose code generation MemoryDenyWriteExecute=yes would kill.
        var result = CliRunner.Run(["install-service", "--dry-run", "--config", Config()]);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.DoesNotContain("MemoryDenyWriteExecute=yes", result.Output, StringComparison.Ordinal);
        Assert.Contains("This program is not the Native AOT binary", result.Output + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void InstallService_Root_WritesTheUnitThereAndRunsNoCommand_UninstallRemovesIt()
    {
        var root = _directory.Combine("root");
        var config = Config();

        var install = CliRunner.Run(["install-service", "--root", root, "--config", config]);

        Assert.True(install.ExitCode == 0, install.Error);
        var unit = Path.Join(root, UnitPath);
        Assert.Contains("CapabilityBoundingSet=CAP_SYS_BOOT\n", File.ReadAllText(unit), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(unit));
        Assert.Contains("Not run (--root): systemctl enable --now traffic-monitor.service", install.Output, StringComparison.Ordinal);

        var uninstall = CliRunner.Run(["uninstall-service", "--root", root]);

        Assert.True(uninstall.ExitCode == 0, uninstall.Error);
        Assert.False(File.Exists(unit));
        Assert.Contains("Not run (--root): systemctl disable --now traffic-monitor.service", uninstall.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void InstallService_ShutdownDisabled_UnprivilegedDynamicUser()
    {
        var result = CliRunner.Run(["install-service", "--dry-run", "--config", Config(shutdown: "enabled: false")]);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("DynamicUser=yes\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("CapabilityBoundingSet=\n", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void InstallService_BlockRule_RunsInTheGroupTrafficMonitorCreatedFirst_AndDoesNotWarnAboutRoot()
    {
        var result = DryRunWithRule("{at: \"95%\", do: block}");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("# Would run:\ngroupadd --system --force traffic-monitor\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("\nGroup=traffic-monitor\n", result.Output, StringComparison.Ordinal);
        // A ladder without a shutdown rule never shuts down: no CAP_SYS_BOOT.
        Assert.Contains("\nCapabilityBoundingSet=CAP_NET_ADMIN\n", result.Output, StringComparison.Ordinal);
        // This process is root in group root; the service it installs is not, so its block lets out only the monitor.
        Assert.DoesNotContain("passes the block", result.Output + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void InstallService_BlockAllowingGroupsOfItsOwn_NoGroupOfTheService()
    {
        var result = DryRunWithRule("{at: \"95%\", do: block, allow_groups: [mail]}");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.DoesNotContain("groupadd", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\nGroup=", result.Output, StringComparison.Ordinal);
        Assert.Contains("\nCapabilityBoundingSet=CAP_NET_ADMIN\n", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void InstallService_LadderWithAShutdownRule_KeepsCapSysBoot()
    {
        var result = DryRunWithRule("{at: \"100%\", do: shutdown}");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("\nCapabilityBoundingSet=CAP_SYS_BOOT\n", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void InstallService_InvalidSettings_Exits78AndInstallsNothing()
    {
        var root = _directory.Combine("root");
        var config = _directory.Write("bad.yaml", "thresholds:\n  total_limit: lots\n");

        var result = CliRunner.Run(["install-service", "--root", root, "--config", config]);

        Assert.Equal(78, result.ExitCode);
        Assert.False(Directory.Exists(root));
    }
}
