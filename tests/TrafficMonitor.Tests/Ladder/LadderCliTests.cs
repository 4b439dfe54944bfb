using System.Text.Json;
using TrafficMonitor.Tests.Cli;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Ladder;

/// <summary>The ladder as a user drives it: the real program, a vnStat database the test builds, recorder commands.</summary>
public sealed class LadderCliTests : IDisposable
{
    private const long GB = 1_000_000_000;
    private readonly TempDirectory _directory = new();
    private readonly VnStatDatabase _vnstat = new();
    private readonly StepRecorder _steps = new();

    public LadderCliTests() => _vnstat.AddInterface("eth0");

    public void Dispose()
    {
        _steps.Dispose();
        _vnstat.Dispose();
        _directory.Dispose();
    }

    private void Usage(long bytes)
    {
        var today = TimeProvider.System.GetLocalNow();
        _vnstat.SetMonth("eth0", today.Year, today.Month, bytes, 0).SetUpdated("eth0", today.DateTime);
    }

    private string Config(string rules = "", string checkInterval = "60s") => _directory.Write("settings.yaml", $$"""
        thresholds: {total_limit: "100 GB", interval: "50 GB", critical_percentage: 90}
        monitor:
          provider: vnstat
          state_dir: "{{_directory.Combine("state")}}"
          check_interval: {{checkInterval}}
        vnstat:
          config: "{{_vnstat.ConfigFile}}"
        actions:
          rules:
            - {at: "50%", do: command, id: slow, run: {{_steps.Yaml("on")}}, undo: {{_steps.Yaml("off")}}}
        {{rules}}
        """);

    private static readonly Dictionary<string, string> Secrets = new() { ["TRAFFIC_MONITOR_SMTP_PASSWORD"] = "smtp-password-from-env" };

    [Fact]
    public void PauseResumeRevertAll_NoMonitorRunning_ActAtOnceAndStatusShowsTheHold()
    {
        var config = Config();
        Usage(60 * GB);
        Assert.Equal(0, CliRunner.Run(["--once", "--config", config], environment: Secrets).ExitCode);
        var applied = Assert.Single(_steps.Calls);
        Assert.Contains("TRAFFIC_MONITOR_EVENT=apply ", applied, StringComparison.Ordinal);
        Assert.DoesNotContain("smtp-password-from-env", applied, StringComparison.Ordinal);

        var pause = CliRunner.Run(["pause", "--until", "2h", "--config", config]);
        Assert.Equal(0, pause.ExitCode);
        Assert.Contains("undone: slow", pause.Output, StringComparison.Ordinal);
        Assert.Single(_steps.CallsOf("off"));

        var status = JsonDocument.Parse(CliRunner.Run(["status", "--json", "--config", config]).Output).RootElement;
        Assert.NotEqual(JsonValueKind.Null, status.GetProperty("hold").GetProperty("until").ValueKind);
        var step = status.GetProperty("steps")[0];
        Assert.Equal(("slow", 50 * GB, false), (step.GetProperty("id").GetString(), step.GetProperty("at_bytes").GetInt64(), step.GetProperty("applied").GetBoolean()));
        Assert.Equal(JsonValueKind.Null, status.GetProperty("action").ValueKind);

        Assert.Equal(0, CliRunner.Run(["--once", "--config", config]).ExitCode);
        Assert.Single(_steps.CallsOf("on"));

        Assert.Equal(0, CliRunner.Run(["resume", "--config", config]).ExitCode);
        Assert.Equal(0, CliRunner.Run(["--once", "--config", config]).ExitCode);
        Assert.Equal(2, _steps.CallsOf("on").Count);

        var revertAll = CliRunner.Run(["revert-all", "--config", config]);
        Assert.Equal(0, revertAll.ExitCode);
        Assert.Equal(2, _steps.CallsOf("off").Count);
        Assert.Contains("Hold:            revert-all", CliRunner.Run(["status", "--config", config]).Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Pause_MonitorRunning_IsHandedToItAndCarriedOutAtItsNextCheck()
    {
        var config = Config(checkInterval: "1s");
        Usage(60 * GB);
        using var monitor = new RunningMonitor("run", "--config", config);
        monitor.WaitForLog("slow is applied");

        var pause = CliRunner.Run(["pause", "--config", config]);

        Assert.Equal(0, pause.ExitCode);
        Assert.Contains($"PID {monitor.Id}", pause.Output, StringComparison.Ordinal);
        monitor.WaitForLog("slow is undone: enforcement is paused");
        Assert.Single(_steps.CallsOf("off"));
        Assert.False(File.Exists(_directory.Combine("state", "enforcement-request.json")));
        monitor.Signal("TERM");
        Assert.Equal(0, monitor.WaitForExit());
    }

    [Fact]
    public void CheckConfig_UnknownKind_Exits78NamingTheKeyAndEveryKind()
    {
        var result = CliRunner.Run(["check-config", "--config", Config("    - {at: \"90%\", do: reboot}")]);

        Assert.Equal(78, result.ExitCode);
        Assert.Contains("actions.rules[1].do (line 11, column 23): ", result.Error, StringComparison.Ordinal);
        Assert.Contains("'reboot' is not a kind of step: use one of command, shutdown, throttle, block, quota", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckConfig_BlockAndQuotaRules_PrintWhereTheQuotaIsArmedAndWarnThatRootsTrafficPasses()
    {
        var result = CliRunner.Run(["check-config", "--config", Config("    - {at: \"95%\", do: block}\n    - {at: \"100%\", do: quota, arm_at: \"96%\"}")]);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("- at: 100%   # 100 GB, 100000000000 bytes", result.Output, StringComparison.Ordinal);
        Assert.Contains("arm_at: 96%", result.Output, StringComparison.Ordinal);
        Assert.Contains("allow_ports: [22]", result.Output, StringComparison.Ordinal);
        // The tests run as root in group root: by default every root process's traffic would pass the block.
        Assert.Contains("actions.rules[1] (block@95%): the monitor runs as root in group root, so every root process's traffic passes the block", result.Output + result.Error, StringComparison.Ordinal);
        Assert.Contains("actions.rules[2] (quota@100%): the monitor runs as root in group root, so every root process's traffic passes the kernel quota", result.Output + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Pause_UntilThatIsNoTime_Exits64()
    {
        var result = CliRunner.Run(["pause", "--until", "soonish", "--config", Config()]);

        Assert.Equal(64, result.ExitCode);
        Assert.Contains("--until: 'soonish' is neither a time", result.Error, StringComparison.Ordinal);
    }
}
