using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using TrafficMonitor.Configuration;
using TrafficMonitor.Platform;
using TrafficMonitor.Quota;
using TrafficMonitor.Tests.Components;
using TrafficMonitor.Tests.Usage.SystemCounters;
using TrafficMonitor.Usage.SystemCounters.Linux;
using TrafficMonitor.Usage.VnStat;

namespace TrafficMonitor.Tests.Usage.VnStat;

/// <summary>
/// When vnStat's database cannot be read through SQLite (no library, not a database), vnStat's own numbers still
/// count, a warning says the numbers lag, and the check goes on: never a failed check.
/// </summary>
public sealed class VnStatNotLiveTests : IDisposable
{
    private const long MonthRx = 7_000_000_000;
    private const long MonthTx = 3_000_000_000;
    private readonly TempDirectory _dir = new();
    private readonly VnStatDatabase _db = new();
    private readonly DateTimeOffset _now = TimeProvider.System.GetLocalNow();

    public void Dispose()
    {
        _db.Dispose();
        _dir.Dispose();
    }

    /// <summary>A stand-in for vnstat printing one interface's month; it needs no SQLite of its own.</summary>
    private string FakeVnStat(string interfaceName) => Sut.Script(_dir, "fake-vnstat", $$$"""
        {"vnstatversion":"2.10","jsonversion":"2","interfaces":[{"name":"{{{interfaceName}}}","updated":{"timestamp":{{{_now.ToUnixTimeSeconds()}}}},
         "traffic":{"month":[{"date":{"year":{{{_now.Year}}},"month":{{{_now.Month}}}},"rx":{{{MonthRx}}},"tx":{{{MonthTx}}}}]}}]}
        """);

    [Fact]
    public async Task ReadAsync_DatabaseNotReadableBySqlite_WarnsOnceAndCountsVnStatsNumbers()
    {
        File.WriteAllBytes(_db.DatabaseFile, new byte[8192]);
        var proc = new FakeProc().Set("eth0", 50_000_000_000, 50_000_000_000);
        var logs = new LogRecorder();
        var options = new VnStatOptions { Config = _db.ConfigFile, Command = FakeVnStat("eth0") };
        var source = new VnStatUsageSource(
            options, new MonitorOptions { StateDir = "/nonexistent" }, new ProcessRunner(), TimeProvider.System, logs.For<VnStatUsageSource>(), HostPlatform.Linux,
            new VnStatLiveCounters(options, TimeProvider.System), new LinuxInterfaceCounters(proc, TimeProvider.System));
        var period = BillingPeriod.Containing(DateOnly.FromDateTime(_now.DateTime), 1);

        var first = await source.ReadAsync(period, CancellationToken.None);
        var second = await source.ReadAsync(period, CancellationToken.None);

        Assert.Equal((MonthRx, MonthTx), (first.Rx, first.Tx));
        Assert.Equal((MonthRx, MonthTx), (second.Rx, second.Tx));
        var warning = Assert.Single(logs.Lines, l => l.Contains("cannot be made live", StringComparison.Ordinal));
        Assert.Contains(_db.DatabaseFile, warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_SqliteLibraryMissing_WarnsNotLiveAndStillCounts()
    {
        if (!Environment.IsPrivilegedProcess || !Programs.Exists("unshare"))
        {
            Assert.Fail("hiding libsqlite3 needs root and unshare (a private mount namespace)");
        }

        // Live counting would add lo's traffic since these counters: the warning, not a number, proves it is off.
        _db.AddInterface("lo").Sql("update interface set rxcounter=1, txcounter=1 where name='lo';");
        var config = _dir.Write("settings.yaml", TestSettings.Yaml(
            _dir.Combine("state"), monitor: "provider: vnstat\ninterfaces: [lo]", extra: $"vnstat:\n  config: \"{_db.ConfigFile}\"\n  command: \"{FakeVnStat("lo")}\"\n"));

        // The library is hidden in a mount namespace of the program's own: /dev/null bound over it, so loading it fails.
        var start = new ProcessStartInfo("unshare")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--mount", "--propagation", "private", "--", "sh", "-c", "mount --bind /dev/null \"$1\" && shift && exec \"$@\"", "sh",
                     SqliteLibraryPath(), "dotnet", CliRunner.ProgramPath, "--config", config, "status", "--json" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("TRAFFIC_MONITOR_CONFIG");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(process.ExitCode == 0, error + await output);
        using var json = JsonDocument.Parse(await output);
        Assert.Equal(MonthRx, json.RootElement.GetProperty("rx_bytes").GetInt64());
        Assert.Contains("cannot be made live", error, StringComparison.Ordinal);
        Assert.Contains("libsqlite3", error, StringComparison.Ordinal);
    }

    /// <summary>The file the dynamic loader finds for libsqlite3.so.0, as this process maps it.</summary>
    private static string SqliteLibraryPath()
    {
        var handle = NativeLibrary.Load("libsqlite3.so.0");
        try
        {
            return File.ReadLines("/proc/self/maps")
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(fields => fields.Length >= 6 && fields[5].Contains("libsqlite3.so", StringComparison.Ordinal))
                .Select(fields => fields[5])
                .First();
        }
        finally
        {
            NativeLibrary.Free(handle);
        }
    }
}
