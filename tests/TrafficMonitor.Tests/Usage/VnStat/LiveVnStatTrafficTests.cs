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
}
