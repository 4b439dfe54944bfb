using System.Diagnostics;
using System.Text.Json;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Cli;

/// <summary>
/// The real traffic-monitor program, run as a user or cron would: a real vnStat database, a real SMTP server,
/// and the shutdown command pointed at a recorder.
/// </summary>
public class MonitorEndToEndTests : IDisposable
{
    private const long GB = 1_000_000_000;
    private readonly TempDirectory _directory = new();
    private readonly VnStatDatabase _vnstat = new();
    private readonly SmtpServer _smtp = new();
    private readonly CommandRecorder _shutdown = new();
    private readonly DateOnly _today = DateOnly.FromDateTime(TimeProvider.System.GetLocalNow().DateTime);

    public MonitorEndToEndTests() => _vnstat.AddInterface("eth0");

    private string StateDir => _directory.Combine("state");

    public void Dispose()
    {
        _shutdown.Dispose();
        _smtp.Dispose();
        _vnstat.Dispose();
        _directory.Dispose();
    }

    private void SetUsage(long rx, long tx) => _vnstat.SetMonth("eth0", _today.Year, _today.Month, rx, tx);

    private string Config(string extra = "", string shutdown = "", string? email = null, string monitor = "") =>
        _directory.Write("settings.yaml", TestSettings.Yaml(
            StateDir,
            _vnstat.ConfigFile,
            shutdownCommand: _shutdown.YamlCommand + (shutdown.Length > 0 ? "\n    " + shutdown : string.Empty),
            monitor: monitor,
            extra: (email ?? $"email:\n  smtp_server: 127.0.0.1\n  smtp_port: {_smtp.Port}\n  sender: tm@test.example\n  recipients: [ops@test.example]\n  timeout: 5s\n") + extra));

    private static CliResult Run(params string[] arguments) => CliRunner.Run(arguments);

    [Fact]
    public void Once_CrossingStages_SendsOneEmailForTheHighestAndRemembersIt()
    {
        var config = Config();
        SetUsage(25 * GB, 12 * GB);

        var first = Run("--once", "--config", config);
        Assert.Equal(0, first.ExitCode);
        var message = Assert.Single(_smtp.WaitForMessages(1));
        Assert.Contains("passed the 30 GB alert stage", message, StringComparison.Ordinal);

        Assert.Equal(0, Run("--once", "--config", config).ExitCode);
        SetUsage(30 * GB, 15 * GB);
        Assert.Equal(0, Run("--once", "--config", config).ExitCode);

        var messages = _smtp.WaitForMessages(2);
        Assert.Equal(2, messages.Count);
        Assert.Contains("passed the 40 GB alert stage", messages[1], StringComparison.Ordinal);
        Assert.Empty(_shutdown.Calls);
    }

    [Fact]
    public void Once_AtCriticalPoint_NotifiesThenShutsDownOnce_AndARestartDoesNotLoop()
    {
        var config = Config();
        SetUsage(60 * GB, 31 * GB);

        var first = Run("--once", "--config", config);
        Assert.Equal(0, first.ExitCode);
        Assert.Equal(["-h +1"], _shutdown.Calls);
        var sent = _smtp.WaitForMessages(2);
        Assert.Equal(2, sent.Count);
        Assert.Contains("CRITICAL", sent[0], StringComparison.Ordinal);
        Assert.Contains("the critical action ran", sent[1], StringComparison.Ordinal);

        // A new process in the same period, still over critical: the machine "rebooted". No shutdown at once.
        var restarted = Run("--once", "--config", config);
        Assert.Equal(0, restarted.ExitCode);
        Assert.Single(_shutdown.Calls);
        Assert.Contains("Started again after the critical action ran", restarted.Error, StringComparison.Ordinal);
        Assert.Equal(2, _smtp.Messages.Count);
    }

    [Fact]
    public void Once_RestartedAfterBootGrace_RunsTheActionAgain()
    {
        var config = Config(shutdown: "boot_grace: 0s");
        SetUsage(95 * GB, 0);
        Run("--once", "--config", config);
        Run("--once", "--config", config);
        Assert.Equal(2, _shutdown.Calls.Count);
    }

    [Fact]
    public void Once_FailedAction_IsNotifiedRetriedAndNotMarkedDone()
    {
        _shutdown.ExitCode = 1;
        var config = Config();
        SetUsage(95 * GB, 0);

        var first = Run("--once", "--config", config);
        Assert.Equal(1, first.ExitCode);
        Assert.Contains("recorder: refusing on purpose", first.Error, StringComparison.Ordinal);
        var messages = _smtp.WaitForMessages(2);
        Assert.Contains(messages, m => m.Contains("FAILED", StringComparison.Ordinal));

        _shutdown.ExitCode = 0;
        var retry = Run("--once", "--config", config);
        Assert.Equal(0, retry.ExitCode);
        Assert.Equal(2, _shutdown.Calls.Count);
        // Critical and failed from the first run; the retry that worked says so, and nothing is repeated.
        var sent = _smtp.WaitForMessages(3);
        Assert.Equal(3, sent.Count);
        Assert.Contains("the critical action ran", sent[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Once_DryRun_NotifiesMarkedButRunsNothingAndSavesNothing()
    {
        var config = Config();
        SetUsage(95 * GB, 0);

        var result = Run("--once", "--dry-run", "--config", config);

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(_shutdown.Calls);
        Assert.Contains("would run the critical action now", result.Error, StringComparison.Ordinal);
        Assert.Contains("[DRY RUN]", Assert.Single(_smtp.WaitForMessages(1)), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(StateDir, "state.json")));
    }

    [Fact]
    public void Once_HungSmtpServer_DelaysTheCriticalActionByNoMoreThanTheTimeout()
    {
        using var silent = new SilentServer();
        var config = Config(email: $"email:\n  smtp_server: 127.0.0.1\n  smtp_port: {silent.Port}\n  sender: tm@test.example\n  recipients: [ops@test.example]\n  timeout: 3s\n");
        SetUsage(95 * GB, 0);

        var clock = Stopwatch.StartNew();
        var result = Run("--once", "--config", config);

        Assert.Equal(["-h +1"], _shutdown.Calls);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("no answer within 3s", result.Error, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(15));
    }

    [Fact]
    public void Once_VnStatMissing_ActsOnNothingAndExitsNonZero()
    {
        var config = Config(extra: "vnstat:\n  command: /nonexistent/vnstat\n");
        File.WriteAllText(config, File.ReadAllText(config).Replace($"vnstat:\n  config: \"{_vnstat.ConfigFile}\"\n", string.Empty, StringComparison.Ordinal));

        var result = Run("--once", "--config", config);

        Assert.Equal(69, result.ExitCode);
        Assert.Contains("apt install vnstat", result.Error, StringComparison.Ordinal);
        Assert.Empty(_shutdown.Calls);
        Assert.Empty(_smtp.Messages);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Once_UnknownInterface_ListsTheKnownOnes()
    {
        var config = Config(monitor: "interfaces: [eth7]");
        SetUsage(95 * GB, 0);
        var result = Run("--once", "--config", config);
        Assert.Equal(69, result.ExitCode);
        Assert.Contains("eth7 not in vnStat's database (it has: eth0)", result.Error, StringComparison.Ordinal);
        Assert.Empty(_shutdown.Calls);
    }

    [Fact]
    public void Once_UnreadableStateFile_IsMovedAsideAndTheCheckGoesOn()
    {
        var config = Config();
        SetUsage(1 * GB, 0);
        Directory.CreateDirectory(StateDir);
        File.WriteAllText(Path.Combine(StateDir, "state.json"), "{ this is not json");

        var result = Run("--once", "--config", config);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("could not be read", result.Error, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(StateDir, "state.json.unreadable-*"));
        Assert.True(JsonDocument.Parse(File.ReadAllText(Path.Combine(StateDir, "state.json"))).RootElement.GetProperty("alerts").TryGetProperty("period_start", out _));
    }

    [Fact]
    public void Once_StateDirectoryUnwritable_Exits73AndSaysWhatToDo()
    {
        var config = Config();
        SetUsage(1 * GB, 0);
        File.WriteAllText(StateDir, "a file where the state directory should be");

        var result = Run("--once", "--config", config);
        File.Delete(Path.Combine(Environment.GetEnvironmentVariable("RUNTIME_DIRECTORY")!, TrafficMonitor.State.StateDirectoryLock.FallbackFileName(StateDir)));

        Assert.Equal(73, result.ExitCode);
        Assert.Contains("monitor.state_dir", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_Json_ReportsThePeriodWithIntegerBytes()
    {
        var config = Config();
        SetUsage(33 * GB, 12 * GB);
        Run("--once", "--config", config);

        var result = Run("status", "--json", "--config", config);

        Assert.Equal(0, result.ExitCode);
        var status = JsonDocument.Parse(result.Output).RootElement;
        Assert.Equal(33 * GB, status.GetProperty("rx_bytes").GetInt64());
        Assert.Equal(12 * GB, status.GetProperty("tx_bytes").GetInt64());
        Assert.Equal(45 * GB, status.GetProperty("counted_bytes").GetInt64());
        Assert.Equal(100 * GB, status.GetProperty("limit_bytes").GetInt64());
        Assert.Equal(45m, status.GetProperty("percent_used").GetDecimal());
        Assert.Equal([10 * GB, 20 * GB, 30 * GB, 40 * GB], status.GetProperty("stages_notified").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(50 * GB, status.GetProperty("next_stage_bytes").GetInt64());
        Assert.Equal(90 * GB, status.GetProperty("critical_bytes").GetInt64());
        Assert.False(status.GetProperty("action").GetProperty("ran_this_period").GetBoolean());
        Assert.Equal(_today.ToString("yyyy-MM-01", System.Globalization.CultureInfo.InvariantCulture), status.GetProperty("period_start").GetString());
    }

    [Fact]
    public void Status_UsageUnreadable_ShowsWhatIsKnownAndExits69()
    {
        var config = Config(monitor: "interfaces: [eth5]");
        var result = Run("status", "--config", config);
        Assert.Equal(69, result.ExitCode);
        Assert.Contains("Usage:           UNAVAILABLE: interface eth5 not in vnStat's database", result.Output, StringComparison.Ordinal);
        Assert.Contains("Critical point:  90 GB (90%)", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_Text_ShowsTheCriticalActionRan()
    {
        var config = Config();
        SetUsage(95 * GB, 0);
        Run("--once", "--config", config);

        var result = Run("status", "--config", config);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Critical point:  90 GB (90%): REACHED", result.Output, StringComparison.Ordinal);
        Assert.Contains("ran this period at", result.Output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(StateDir, "*.unreadable-*"));
    }

    [Fact]
    public async Task Run_Sigterm_FinishesTheCheckInProgressAndExitsZero()
    {
        // vnStat that takes 3 s to answer: the stop request arrives mid-check.
        var slowVnStat = _directory.Write("slow-vnstat", "#!/bin/sh\nsleep 3\nexec vnstat \"$@\"\n");
        File.SetUnixFileMode(slowVnStat, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var config = Config(monitor: "check_interval: 1s");
        File.WriteAllText(config, File.ReadAllText(config).Replace("vnstat:\n", $"vnstat:\n  command: \"{slowVnStat}\"\n", StringComparison.Ordinal));
        SetUsage(25 * GB, 0);

        using var process = CliRunner.Start(["run", "--config", config]);
        var error = process.StandardError.ReadToEndAsync();
        await Task.Delay(1500);
        Programs.Run("kill", "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(process.WaitForExit(30_000), "did not stop after SIGTERM");

        Assert.Equal(0, process.ExitCode);
        Assert.Contains("Monitoring stopped", await error, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(StateDir, "state.json")), "the check in progress did not finish");
        Assert.Single(_smtp.WaitForMessages(1));
    }
}
