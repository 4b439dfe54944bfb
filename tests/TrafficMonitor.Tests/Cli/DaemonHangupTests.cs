using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Cli;

/// <summary>
/// SIGHUP to the real daemon: it never ends it; a valid settings file takes effect at the next check with the same
/// state and the same "ran in this process" identity; an invalid one is logged problem by problem and the running
/// settings stay. The action is a recorder.
/// </summary>
public sealed class DaemonHangupTests : IDisposable
{
    private const long GB = 1_000_000_000;
    private readonly TempDirectory _directory = new();
    private readonly VnStatDatabase _vnstat = new();
    private readonly CommandRecorder _shutdown = new();
    private readonly DateOnly _today = DateOnly.FromDateTime(TimeProvider.System.GetLocalNow().DateTime);

    public DaemonHangupTests() => _vnstat.AddInterface("eth0");

    private string StateDir => _directory.Combine("state");

    public void Dispose()
    {
        _shutdown.Dispose();
        _vnstat.Dispose();
        _directory.Dispose();
    }

    private void SetUsage(long rx) => _vnstat.SetMonth("eth0", _today.Year, _today.Month, rx, 0);

    private string Config(string totalLimit = "\"100 GB\"", string checkInterval = "1h", string shutdown = "") =>
        _directory.Write("settings.yaml", TestSettings.Yaml(
            StateDir,
            _vnstat.ConfigFile,
            totalLimit: totalLimit,
            shutdownCommand: _shutdown.YamlCommand + (shutdown.Length > 0 ? "\n    " + shutdown : string.Empty),
            monitor: $"check_interval: {checkInterval}"));

    [Fact]
    public void Run_Sighup_ReloadsTheSettingsAndKeepsRunning()
    {
        var config = Config();
        SetUsage(25 * GB);
        using var daemon = new RunningMonitor("run", "--config", config);
        daemon.WaitForLog("Used 25 GB of 100 GB");

        Config(totalLimit: "\"200 GB\"");
        daemon.Signal("HUP");

        daemon.WaitForLog("Used 25 GB of 200 GB");
        Assert.Contains($"Settings reloaded from {config} (changed: thresholds)", daemon.Log, StringComparison.Ordinal);
        Assert.False(daemon.HasExited);
        daemon.Signal("TERM");
        Assert.Equal(0, daemon.WaitForExit());
    }

    [Fact]
    public void Run_SighupAfterTheAction_DoesNotRunItAgain_EvenWithNoBootGrace()
    {
        // boot_grace 0s: a restarted monitor would run the action again at once. A reload is not a restart.
        var config = Config(shutdown: "boot_grace: 0s");
        SetUsage(95 * GB);
        using var daemon = new RunningMonitor("run", "--config", config);
        daemon.WaitForLog("The critical action ran");

        Config(checkInterval: "2h", shutdown: "boot_grace: 0s");
        daemon.Signal("HUP");

        daemon.WaitForLog("Monitoring started: checking every 2h");
        daemon.WaitForLog("Used 95 GB", count: 2);
        daemon.Signal("TERM");
        Assert.Equal(0, daemon.WaitForExit());
        Assert.Single(_shutdown.Calls);
        Assert.DoesNotContain("running it again", daemon.Log, StringComparison.Ordinal);
        Assert.Contains("changed: monitor", daemon.Log, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_SighupWithAnInvalidFile_LogsEveryProblemAndKeepsTheRunningSettings()
    {
        var config = Config();
        SetUsage(25 * GB);
        using var daemon = new RunningMonitor("run", "--config", config);
        daemon.WaitForLog("Used 25 GB of 100 GB");

        File.WriteAllText(config, File.ReadAllText(config)
            .Replace("total_limit: \"100 GB\"", "total_limit: lots", StringComparison.Ordinal)
            .Replace("critical_percentage: 90", "critical_percentage: 190", StringComparison.Ordinal));
        daemon.Signal("HUP");

        daemon.WaitForLog("problem(s) above): the running settings stay");
        Assert.Contains($"Reloading {config}: thresholds.total_limit", daemon.Log, StringComparison.Ordinal);
        Assert.Contains($"Reloading {config}: thresholds.critical_percentage", daemon.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("Monitoring stopped", daemon.Log, StringComparison.Ordinal);
        Assert.False(daemon.HasExited);

        // Still the old host on the old settings: a SIGTERM stops it as always.
        daemon.Signal("TERM");
        Assert.Equal(0, daemon.WaitForExit());
        Assert.Equal(1, daemon.Occurrences("Monitoring stopped"));
    }

    [Fact]
    public void DryRun_Sighup_DoesNotAnnounceTheStagesAgain()
    {
        // A dry run keeps its state in memory only: the reload hands it over to the next host.
        using var smtp = new SmtpServer();
        var config = _directory.Write("settings.yaml", TestSettings.Yaml(
            StateDir, _vnstat.ConfigFile, shutdownCommand: _shutdown.YamlCommand, monitor: "check_interval: 1h", extra: TestSettings.Email(smtp.Port)));
        SetUsage(25 * GB);
        using var daemon = new RunningMonitor("run", "--dry-run", "--config", config);
        Assert.Contains("[DRY RUN]", Assert.Single(smtp.WaitForMessages(1)), StringComparison.Ordinal);

        daemon.Signal("HUP");
        daemon.WaitForLog("Used 25 GB", count: 2);
        daemon.Signal("TERM");

        Assert.Equal(0, daemon.WaitForExit());
        Assert.Single(smtp.Messages);
        Assert.False(File.Exists(Path.Combine(StateDir, "state.json")));
    }

    [Fact]
    public void Once_Sighup_DoesNotEndTheCheck()
    {
        // vnStat that takes 2 s to answer: the hang-up arrives mid-check, as when a terminal closes.
        var slowVnStat = _directory.Write("slow-vnstat", "#!/bin/sh\nsleep 2\nexec vnstat \"$@\"\n");
        File.SetUnixFileMode(slowVnStat, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var config = Config();
        File.WriteAllText(config, File.ReadAllText(config).Replace("vnstat:\n", $"vnstat:\n  command: \"{slowVnStat}\"\n", StringComparison.Ordinal));
        SetUsage(95 * GB);

        using var once = new RunningMonitor("--once", "--config", config);
        once.WaitForLog("Loaded settings");
        Thread.Sleep(700);
        once.Signal("HUP");

        Assert.Equal(0, once.WaitForExit());
        Assert.Contains("SIGHUP ignored", once.Log, StringComparison.Ordinal);
        Assert.Single(_shutdown.Calls);
    }
}
