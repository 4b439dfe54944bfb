using System.Net.Sockets;
using TrafficMonitor.Tests.Cli;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Metrics;

/// <summary>The real daemon: SIGHUP moves the endpoint to the new settings' address, and the old one is let go.</summary>
public sealed class MetricsReloadTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly VnStatDatabase _vnstat = new();

    public MetricsReloadTests()
    {
        var today = DateOnly.FromDateTime(TimeProvider.System.GetLocalNow().DateTime);
        _vnstat.AddInterface("eth0").SetMonth("eth0", today.Year, today.Month, 5_000_000_000, 0);
    }

    public void Dispose()
    {
        _vnstat.Dispose();
        _directory.Dispose();
    }

    private string Config(int port) => _directory.Write("settings.yaml", TestSettings.Yaml(
        _directory.Combine("state"), _vnstat.ConfigFile, monitor: "check_interval: 1h", extra: $"metrics:\n  listen: \"127.0.0.1:{port}\"\n"));

    [Fact]
    public async Task Run_SighupWithANewListen_ServesThereAndReleasesTheOldPort()
    {
        var (first, second) = (MonitorWithMetrics.FreePort(), MonitorWithMetrics.FreePort());
        using var daemon = new RunningMonitor("run", "--config", Config(first));
        daemon.WaitForLog($"Metrics on http://127.0.0.1:{first}/metrics");
        daemon.WaitForLog("Used ");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        Assert.Contains("traffic_monitor_period_counted_bytes 5000000000", await http.GetStringAsync(new Uri($"http://127.0.0.1:{first}/metrics")), StringComparison.Ordinal);

        Config(second);
        daemon.Signal("HUP");
        daemon.WaitForLog($"Metrics on http://127.0.0.1:{second}/metrics");
        daemon.WaitForLog("Used ", count: 2);

        Assert.Contains("traffic_monitor_period_counted_bytes 5000000000", await http.GetStringAsync(new Uri($"http://127.0.0.1:{second}/metrics")), StringComparison.Ordinal);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var refused = await Assert.ThrowsAsync<SocketException>(async () => await socket.ConnectAsync("127.0.0.1", first));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        daemon.Signal("TERM");
        Assert.Equal(0, daemon.WaitForExit());
    }
}
