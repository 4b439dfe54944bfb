using System.Diagnostics;
using System.Text.Json;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Usage.VnStat;

/// <summary>vnStat's numbers plus the kernel's counters since vnStat last wrote them, with real traffic in namespaces.</summary>
public sealed class LiveVnStatTrafficTests : IDisposable
{
    private readonly NetworkNamespacePair _net = new();
    private readonly VnStatDatabase _db = new();
    private readonly TempDirectory _dir = new();

    public void Dispose()
    {
        _net.Dispose();
        _db.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void Status_TrafficSinceVnStatLastWrote_IsAddedToVnStatsNumbers()
    {
        _net.Send(5 * 1024 * 1024);
        var written = _net.CountersA;
        var now = TimeProvider.System.GetLocalNow();
        _db.AddInterface(_net.InterfaceA)
            .SetMonth(_net.InterfaceA, now.Year, now.Month, rx: 7_000_000_000, tx: 3_000_000_000)
            .SetUpdated(_net.InterfaceA, now.DateTime)
            .Sql($"update interface set rxcounter={written.Rx}, txcounter={written.Tx} where name='{_net.InterfaceA}';");
        _net.Send(40 * 1024 * 1024);
        var config = _dir.Write("settings.yaml", TestSettings.Yaml(
            _dir.Combine("state"), vnstatConfig: _db.ConfigFile, monitor: $"provider: vnstat\ninterfaces: [{_net.InterfaceA}]"));

        var result = CliRunner.Run(["--config", config, "status", "--json"], networkNamespace: _net.NamespaceA);

        Assert.True(result.ExitCode == 0, result.Error + result.Output);
        using var json = JsonDocument.Parse(result.Output);
        var kernel = _net.CountersA;
        Assert.Equal(7_000_000_000 + kernel.Rx - written.Rx, json.RootElement.GetProperty("rx_bytes").GetInt64());
        Assert.Equal(3_000_000_000 + kernel.Tx - written.Tx, json.RootElement.GetProperty("tx_bytes").GetInt64());
        Assert.Equal("vnstat", json.RootElement.GetProperty("provider").GetString());
    }

    [Fact]
    public void Status_ProviderAutoWithVnStatData_ChoosesVnStat_WithoutData_System()
    {
        var now = TimeProvider.System.GetLocalNow();
        _db.AddInterface(_net.InterfaceA).SetMonth(_net.InterfaceA, now.Year, now.Month, 5, 5).SetUpdated(_net.InterfaceA, now.DateTime);
        var withData = _dir.Write("a.yaml", TestSettings.Yaml(_dir.Combine("a"), vnstatConfig: _db.ConfigFile, monitor: $"provider: auto\ninterfaces: [{_net.InterfaceA}]"));
        var missing = _dir.Write("b.yaml", TestSettings.Yaml(
            _dir.Combine("b"), vnstatConfig: _dir.Write("none.conf", $"DatabaseDir \"{_dir.Combine("nothing")}\"\n"), monitor: $"provider: auto\ninterfaces: [{_net.InterfaceA}]"));

        var vnstat = CliRunner.Run(["--config", withData, "status"], networkNamespace: _net.NamespaceA);
        var system = CliRunner.Run(["--config", missing, "status"], networkNamespace: _net.NamespaceA);

        Assert.Contains("Usage source:    vnstat (provider: auto)", vnstat.Output, StringComparison.Ordinal);
        Assert.Contains("Usage source:    system (provider: auto); ", system.Output, StringComparison.Ordinal);
        Assert.Contains("so the system's own counters", system.Output, StringComparison.Ordinal);
        Assert.Contains($"Counting:        {_net.InterfaceA}", system.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_VnStatDaemonKeepsAWriteAheadLog_AddsTheKernelsCountersSinceItsLastWrite()
    {
        using var db = new VnStatDatabase(writeAheadLog: true);
        File.AppendAllText(db.ConfigFile, "PollInterval 2\nUpdateInterval 2\nSaveInterval 5\n");
        db.AddInterface(_net.InterfaceA);
        var daemon = _net.Start(_net.NamespaceA, "vnstatd", "-n", "--config", db.ConfigFile);
        _net.Send(5 * 1024 * 1024);
        var sent = _net.CountersA;

        // SIGHUP makes vnstatd write what it counted now rather than at its next SaveInterval. It also reopens the
        // database, which as the last connection would fold the log into the database file; between its regular
        // saves it keeps the database open. A second connection keeps the log as it is between those saves.
        using var other = new SqliteSession(db.DatabaseFile);
        other.Execute("select count(*) from interface;");
        // vnstatd can take seconds to act on a signal soon after it started, and writes what it read at its last
        // UpdateInterval (2 s): one SIGHUP at a time, and another only if the first wrote counters from before the
        // traffic. A signal still pending would write again later, after the traffic this test counts.
        var waited = Stopwatch.StartNew();
        while (DbCounters(db).Rx < sent.Rx)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(40), "vnstatd did not write its counters");
            Programs.Run("kill", "-HUP", daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var signalled = Stopwatch.StartNew();
            while (DbCounters(db).Rx < sent.Rx && signalled.Elapsed < TimeSpan.FromSeconds(12))
            {
                Thread.Sleep(200);
            }
        }

        Assert.True(new FileInfo(db.DatabaseFile + "-wal").Length > 0, "vnstatd should keep a write-ahead log");
        _net.Send(40 * 1024 * 1024);
        var config = _dir.Write("wal.yaml", TestSettings.Yaml(
            _dir.Combine("wal-state"), vnstatConfig: db.ConfigFile, monitor: $"provider: vnstat\ninterfaces: [{_net.InterfaceA}]"));

        var result = CliRunner.Run(["--config", config, "status", "--json"], networkNamespace: _net.NamespaceA);

        Assert.True(result.ExitCode == 0, result.Error + result.Output);
        var written = DbCounters(db);
        var month = Programs.Run("sqlite3", db.DatabaseFile, "select sum(rx) || ' ' || sum(tx) from month;").Trim().Split(" ").Select(v => long.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var kernel = _net.CountersA;
        using var json = JsonDocument.Parse(result.Output);
        Assert.Equal(month[0] + kernel.Rx - written.Rx, json.RootElement.GetProperty("rx_bytes").GetInt64());
        Assert.Equal(month[1] + kernel.Tx - written.Tx, json.RootElement.GetProperty("tx_bytes").GetInt64());
        Assert.True(kernel.Tx - written.Tx > 20 * 1024 * 1024, $"the traffic after vnstatd's write should be counted from the kernel: sent {sent}, written {written}, kernel {kernel}");
    }

    private static (long Rx, long Tx) DbCounters(VnStatDatabase db)
    {
        var values = Programs.Run("sqlite3", db.DatabaseFile, "select rxcounter || ' ' || txcounter from interface;").Trim().Split(' ');
        return (long.Parse(values[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(values[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
