using System.Globalization;
using TrafficMonitor.State;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Cli;

/// <summary>
/// One owner per state directory, with real processes: a second daemon, a --once from cron beside a daemon, a holder
/// killed with SIGKILL, and a state directory that cannot hold the lock file. The action is always a recorder.
/// </summary>
public sealed class StateDirectoryOwnerTests : IDisposable
{
    private const long GB = 1_000_000_000;
    private readonly TempDirectory _directory = new();
    private readonly VnStatDatabase _vnstat = new();
    private readonly CommandRecorder _shutdown = new();
    private readonly DateOnly _today = DateOnly.FromDateTime(TimeProvider.System.GetLocalNow().DateTime);

    public StateDirectoryOwnerTests() => _vnstat.AddInterface("eth0");

    private string StateDir => _directory.Combine("state");

    public void Dispose()
    {
        _shutdown.Dispose();
        _vnstat.Dispose();
        _directory.Dispose();
    }

    private void SetUsage(long rx) => _vnstat.SetMonth("eth0", _today.Year, _today.Month, rx, 0);

    private string Config(string checkInterval = "1h") =>
        _directory.Write("settings.yaml", TestSettings.Yaml(StateDir, _vnstat.ConfigFile, shutdownCommand: _shutdown.YamlCommand, monitor: $"check_interval: {checkInterval}"));

    [Fact]
    public void Run_WhileAnotherDaemonOwnsTheStateDirectory_Exits75NamingItsPid()
    {
        var config = Config();
        SetUsage(25 * GB);
        using var first = new RunningMonitor("run", "--config", config);
        first.WaitForLog("Monitoring started");

        using var second = new RunningMonitor("run", "--config", config);
        var exitCode = second.WaitForExit();

        Assert.Equal(75, exitCode);
        Assert.Contains($"'traffic-monitor run' (PID {first.Id}, lock {Path.Combine(StateDir, "lock")}) already owns the state directory {StateDir}", second.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("Monitoring started", second.Log, StringComparison.Ordinal);
        Assert.False(first.HasExited);
    }

    [Fact]
    public void Once_WhileADaemonRuns_DecidesAndActsOnNothingAndExitsZero()
    {
        var config = Config();
        SetUsage(25 * GB);
        using var daemon = new RunningMonitor("run", "--config", config);
        daemon.WaitForLog("Used 25 GB");
        // Over the critical point now; the daemon checks again only in an hour. Its check, not cron's, decides.
        SetUsage(95 * GB);

        var once = CliRunner.Run(["--once", "--config", config], timeout: TimeSpan.FromSeconds(30));

        Assert.Empty(_shutdown.Calls);
        Assert.DoesNotContain("Used 95 GB", once.Error, StringComparison.Ordinal);
        Assert.Equal(0, once.ExitCode);
        Assert.Contains($"'traffic-monitor run' (PID {daemon.Id}, lock {Path.Combine(StateDir, "lock")}) owns the state directory {StateDir} and checks by itself: this --once decided and sent nothing", once.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadOnlyCommandsAndDryRun_WhileADaemonRuns_NeedNoLock()
    {
        var config = Config();
        SetUsage(95 * GB);
        using var daemon = new RunningMonitor("run", "--config", config);
        daemon.WaitForLog("The critical action ran");

        Assert.Equal(0, CliRunner.Run(["status", "--config", config]).ExitCode);
        Assert.Equal(0, CliRunner.Run(["check-config", "--config", config]).ExitCode);
        Assert.Equal(0, CliRunner.Run(["set-usage", "96 GB", "--config", config]).ExitCode);
        var dryRun = CliRunner.Run(["--once", "--dry-run", "--config", config]);
        Assert.Equal(0, dryRun.ExitCode);
        Assert.Contains("Used 96 GB", dryRun.Error, StringComparison.Ordinal);
        Assert.Single(_shutdown.Calls);
    }

    [Fact]
    public void Run_HolderKilledWithSigkill_TheLockIsTakenOver()
    {
        var config = Config();
        SetUsage(25 * GB);
        using (var killed = new RunningMonitor("run", "--config", config))
        {
            killed.WaitForLog("Monitoring started");
            Assert.StartsWith(killed.Id.ToString(CultureInfo.InvariantCulture) + "\n", LockFileText(), StringComparison.Ordinal);
            killed.Signal("KILL");
            Assert.Equal(137, killed.WaitForExit());
        }

        // The dead holder's PID is still in the file; the kernel released its lock when it died.
        using var next = new RunningMonitor("run", "--config", config);
        next.WaitForLog("Monitoring started");
        Assert.DoesNotContain("owns the state directory", next.Log, StringComparison.Ordinal);
        next.Signal("TERM");
        Assert.Equal(0, next.WaitForExit());
    }

    [Fact]
    public void Run_StateDirectoryCannotHoldTheLock_LocksUnderTheRuntimeDirectoryInstead()
    {
        // A file where the state directory should be: no lock file can be made there (as on a full or read-only disk).
        File.WriteAllText(StateDir, "not a directory");
        var fallback = Path.Combine(Environment.GetEnvironmentVariable("RUNTIME_DIRECTORY")!, StateDirectoryLock.FallbackFileName(StateDir));
        var config = Config();
        SetUsage(25 * GB);
        try
        {
            using var first = new RunningMonitor("run", "--config", config);
            first.WaitForLog("cannot hold its lock file");
            Assert.Contains($"holding {fallback} instead", first.Log, StringComparison.Ordinal);

            using var second = new RunningMonitor("run", "--config", config);
            Assert.Equal(75, second.WaitForExit());
            Assert.Contains($"(PID {first.Id}, lock {fallback}) already owns the state directory", second.Log, StringComparison.Ordinal);
            Assert.Equal(1, first.Occurrences("cannot hold its lock file"));
        }
        finally
        {
            File.Delete(fallback);
        }
    }

    /// <summary>The lock file's text, read without a .NET lock (which the holder's exclusive lock would refuse).</summary>
    private string LockFileText() => Programs.Run("cat", Path.Combine(StateDir, "lock"));
}
