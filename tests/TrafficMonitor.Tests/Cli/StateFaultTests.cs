using System.Diagnostics;
using System.Globalization;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Cli;

/// <summary>
/// Faults of the state directory and of time that must never switch the alert or the action off, or repeat the action:
/// the real program, a real vnStat database, a real SMTP server, real filesystems, the action pointed at a recorder.
/// </summary>
public sealed class StateFaultTests : IDisposable
{
    private const long GB = 1_000_000_000;
    private readonly TempDirectory _directory = new();
    private readonly VnStatDatabase _vnstat = new();
    private readonly SmtpServer _smtp = new();
    private readonly CommandRecorder _shutdown = new();
    private readonly DateOnly _today = DateOnly.FromDateTime(TimeProvider.System.GetLocalNow().DateTime);
    private string? _mounted;

    public StateFaultTests()
    {
        _vnstat.AddInterface("eth0");
        Directory.CreateDirectory(RuntimeDirectory);
    }

    private string StateDir => _directory.Combine("state");

    /// <summary>Stands in for /run: what one boot keeps. Deleting it is what a reboot does to it.</summary>
    private string RuntimeDirectory => _directory.Combine("run");

    public void Dispose()
    {
        if (_mounted is not null)
        {
            Command("umount", "-l", _mounted);
        }

        _shutdown.Dispose();
        _smtp.Dispose();
        _vnstat.Dispose();
        _directory.Dispose();
    }

    /// <summary>Usage on every day around today, so every billing period the test's clocks fall in is over the critical point.</summary>
    private void UsageOnEveryDay(long bytesPerDay)
    {
        for (var day = -3; day <= 3; day++)
        {
            _vnstat.SetDay("eth0", _today.AddDays(day), bytesPerDay, 0);
        }

        _vnstat.SetMonth("eth0", _today.Year, _today.Month, 7 * bytesPerDay, 0).SetUpdated("eth0", TimeProvider.System.GetLocalNow().DateTime);
    }

    private string Config(string shutdown = "", string monitor = "") =>
        _directory.Write("settings.yaml", TestSettings.Yaml(
            StateDir,
            _vnstat.ConfigFile,
            shutdownCommand: _shutdown.YamlCommand + (shutdown.Length > 0 ? "\n    " + shutdown : string.Empty),
            monitor: monitor,
            extra: TestSettings.Email(_smtp.Port)));

    private CliResult Once(string config, string? timeZone = null)
    {
        var environment = new Dictionary<string, string> { ["RUNTIME_DIRECTORY"] = RuntimeDirectory };
        if (timeZone is not null)
        {
            environment["TZ"] = timeZone;
        }

        return CliRunner.Run(["--once", "--config", config], environment: environment);
    }

    private List<string> Subjects() => _smtp.Messages.Select(m => m.Split('\n').First(l => l.StartsWith("Subject:", StringComparison.Ordinal))).ToList();

    private void MountTmpfs(string path, string size)
    {
        Directory.CreateDirectory(path);
        Command("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", path);
        _mounted = path;
    }

    [Fact]
    public void Once_StateDirectoryRemountedReadOnly_AlertsAndActsOnceAndSaysSo()
    {
        MountTmpfs(StateDir, "1m");
        var config = Config();
        UsageOnEveryDay(1 * GB);
        Assert.Equal(0, Once(config).ExitCode);
        Command("mount", "-o", "remount,ro", StateDir);
        UsageOnEveryDay(15 * GB);

        var over = Once(config);

        Assert.Equal(73, over.ExitCode);
        Assert.Contains("State cannot be kept", over.Error, StringComparison.Ordinal);
        Assert.Contains("The filesystem is read-only", over.Error, StringComparison.Ordinal);
        Assert.Equal(["-h +1"], _shutdown.Calls);
        Assert.Contains(Subjects(), s => s.Contains("CRITICAL", StringComparison.Ordinal));

        // Another process in the same boot (cron's next --once, or the daemon restarted) knows what this one did.
        var again = Once(config);
        Assert.Equal(73, again.ExitCode);
        Assert.Single(_shutdown.Calls);
        Assert.Single(Subjects(), s => s.Contains("CRITICAL", StringComparison.Ordinal));

        var status = CliRunner.Run(["status", "--config", config], environment: new Dictionary<string, string> { ["RUNTIME_DIRECTORY"] = RuntimeDirectory });
        Assert.Contains("State:           NOT KEPT: cannot be written since", status.Output, StringComparison.Ordinal);
        Assert.Contains("ran this period", status.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Once_StateDirectoryFull_AlertsAndActsOnce()
    {
        MountTmpfs(StateDir, "64k");
        var config = Config();
        UsageOnEveryDay(1 * GB);
        Assert.Equal(0, Once(config).ExitCode);
        Fill(StateDir);
        UsageOnEveryDay(15 * GB);

        var over = Once(config);
        var again = Once(config);

        Assert.Equal((73, 73), (over.ExitCode, again.ExitCode));
        Assert.Contains("The disk is full", over.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("..", over.Error, StringComparison.Ordinal);
        Assert.Equal(["-h +1"], _shutdown.Calls);
        Assert.Single(Subjects(), s => s.Contains("CRITICAL", StringComparison.Ordinal));
    }

    /// <summary>
    /// After a reboot /run is empty, and the state directory, still read-only, holds a state written before the boot:
    /// whether the action ran since cannot be known, so it waits boot_grace after boot.
    /// </summary>
    [Fact]
    public void Once_AfterARebootWithTheStateStillReadOnly_WaitsBootGraceAfterBoot()
    {
        var config = Config();
        MountTmpfs(StateDir, "1m");
        UsageOnEveryDay(1 * GB);
        Assert.Equal(0, Once(config).ExitCode);
        var uptime = TimeSpan.FromSeconds(double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], CultureInfo.InvariantCulture));
        var beforeBoot = TimeProvider.System.GetUtcNow() - uptime - TimeSpan.FromHours(1);
        var stateFile = Path.Combine(StateDir, "state.json");
        var written = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(stateFile))!;
        written["health"]!["last_check_at"] = beforeBoot.ToString("O", CultureInfo.InvariantCulture);
        File.WriteAllText(stateFile, written.ToJsonString());
        Command("mount", "-o", "remount,ro", StateDir);
        UsageOnEveryDay(15 * GB);

        var rebooted = Once(_directory.Write("settings.yaml", File.ReadAllText(config).Replace(
            "    command:", $"    boot_grace: {(long)(uptime + TimeSpan.FromHours(1)).TotalMinutes}m\n    command:", StringComparison.Ordinal)));

        Assert.Empty(_shutdown.Calls);
        Assert.Contains("whether the critical action already ran in this boot cannot be known", rebooted.Error, StringComparison.Ordinal);
        Assert.Contains(Subjects(), s => s.Contains("CRITICAL", StringComparison.Ordinal));
    }

    /// <summary>The monitor is killed while the action's command runs (or the command powered the machine off first).</summary>
    [Fact]
    public void Run_KilledWhileTheActionRuns_TheNextProcessDoesNotRunItAgainAtOnce()
    {
        var slow = _directory.Write("slow-shutdown", $"#!/bin/sh\n\"{_shutdown.ScriptFile}\" \"$@\"\nexec sleep 60\n");
        File.SetUnixFileMode(slow, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var config = _directory.Write("settings.yaml", TestSettings.Yaml(
            StateDir, _vnstat.ConfigFile, shutdownCommand: $"[\"{slow}\", \"-h\", \"+{{delay_minutes}}\"]", extra: TestSettings.Email(_smtp.Port)));
        UsageOnEveryDay(15 * GB);

        using (var monitor = CliRunner.Start(["run", "--config", config], environment: new Dictionary<string, string> { ["RUNTIME_DIRECTORY"] = RuntimeDirectory }))
        {
            var clock = Stopwatch.StartNew();
            while (_shutdown.Calls.Count == 0 && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                Thread.Sleep(50);
            }

            Assert.Single(_shutdown.Calls);
            monitor.Kill(entireProcessTree: true);
            monitor.WaitForExit();
        }

        var restarted = Once(config);

        Assert.Equal(0, restarted.ExitCode);
        Assert.Single(_shutdown.Calls);
        Assert.Contains("Not acting at once", restarted.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// The time zone moves the local date back across the reset day and forward again (UTC → UTC-10 → UTC, or the
    /// same shape later in the day): the period never moves backwards, so nothing is announced, re-armed or run twice.
    /// </summary>
    [Fact]
    public void Once_TimeZoneMovesBackAcrossTheResetDayAndForward_TheActionRunsOnceAndNoNewPeriodIsAnnounced()
    {
        var utcNow = TimeProvider.System.GetUtcNow();
        // Two zones whose local dates differ by one day right now, the later one's date being the reset day.
        var (later, earlier, resetDate) = utcNow.Hour < 10
            ? ("UTC", "Etc/GMT+10", DateOnly.FromDateTime(utcNow.UtcDateTime))
            : ("Etc/GMT-14", "UTC", DateOnly.FromDateTime(utcNow.UtcDateTime).AddDays(1));
        var config = Config(monitor: $"reset_day: {resetDate.Day}");
        UsageOnEveryDay(95 * GB);

        Assert.Equal(0, OnceWithVnStatIn(config, later).ExitCode);
        Assert.Equal(0, OnceWithVnStatIn(config, earlier).ExitCode);
        Assert.Equal(0, OnceWithVnStatIn(config, later).ExitCode);

        Assert.Equal(["-h +1"], _shutdown.Calls);
        Assert.DoesNotContain(Subjects(), s => s.Contains("new billing period", StringComparison.Ordinal));
    }

    /// <summary>
    /// A check in <paramref name="timeZone"/>, with the machine's zone changed to it: vnStat, which writes local times,
    /// last updated in that zone, and has a row for the month of its local date (the next month's, on a month's last day).
    /// </summary>
    private CliResult OnceWithVnStatIn(string config, string timeZone)
    {
        var local = TimeZoneInfo.ConvertTime(TimeProvider.System.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById(timeZone)).DateTime;
        _vnstat.SetMonth("eth0", local.Year, local.Month, 7 * 95 * GB, 0).SetUpdated("eth0", local);
        return Once(config, timeZone);
    }

    private static void Fill(string directory)
    {
        try
        {
            using var filler = File.Create(Path.Combine(directory, "filler"));
            var block = new byte[4096];
            while (true)
            {
                filler.Write(block);
                filler.Flush();
            }
        }
        catch (IOException)
        {
            // No space left on device: that is the point.
        }
    }

    private static void Command(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)}: {error}");
    }
}
