using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using TrafficMonitor.Tests.Cli;
using TrafficMonitor.Tests.Components;
using Xunit.Abstractions;

namespace TrafficMonitor.Tests.Metrics;

/// <summary>
/// The real daemon with metrics on a loopback port, its usage from a vnStat database the test builds, started once for
/// the class. The action is a recorder.
/// </summary>
public sealed class MonitorWithMetrics : IDisposable
{
    public const long Rx = 123_456_789_012;
    public const long Tx = 9_876_543_210;

    private readonly TempDirectory _directory = new();
    private readonly VnStatDatabase _vnstat = new();
    private readonly CommandRecorder _shutdown = new();

    public MonitorWithMetrics()
    {
        var today = DateOnly.FromDateTime(TimeProvider.System.GetLocalNow().DateTime);
        _vnstat.AddInterface("eth0").SetMonth("eth0", today.Year, today.Month, Rx, Tx);
        Port = FreePort();
        Config = _directory.Write("settings.yaml", TestSettings.Yaml(
            _directory.Combine("state"),
            _vnstat.ConfigFile,
            totalLimit: "\"500 GB\"",
            interval: "\"50 GB\"",
            shutdownCommand: _shutdown.YamlCommand,
            monitor: "check_interval: 1h",
            extra: $"metrics:\n  listen: \"127.0.0.1:{Port}\"\n"));
        Daemon = new RunningMonitor("run", "--config", Config);
        Daemon.WaitForLog($"Metrics on http://127.0.0.1:{Port}/metrics");
        Daemon.WaitForLog("Used ");
    }

    public int Port { get; }

    public string Config { get; }

    public RunningMonitor Daemon { get; }

    public Uri Url(string path) => new($"http://127.0.0.1:{Port}{path}");

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        Daemon.Dispose();
        _shutdown.Dispose();
        _vnstat.Dispose();
        _directory.Dispose();
    }
}

public sealed partial class MetricsEndToEndTests(MonitorWithMetrics monitor, ITestOutputHelper output) : IClassFixture<MonitorWithMetrics>
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task Metrics_OfTheRunningDaemon_GiveTheCountedBytes()
    {
        var text = await Http.GetStringAsync(monitor.Url("/metrics"));

        Assert.Contains($"\ntraffic_monitor_period_counted_bytes {MonitorWithMetrics.Rx + MonitorWithMetrics.Tx}\n", text, StringComparison.Ordinal);
        Assert.Contains("\ntraffic_monitor_usage_source_info{source=\"vnstat\",count=\"total\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prometheus_ScrapingTheDaemon_GivesBackTheCountedBytesAndLoadsTheRules()
    {
        using var directory = new TempDirectory();
        var port = MonitorWithMetrics.FreePort();
        var rules = Path.Combine(Promtool.RepositoryRoot, "deploy", "prometheus", "traffic-monitor.rules.yml");
        var config = directory.Write("prometheus.yml", $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files: ["{rules}"]
            scrape_configs:
              - job_name: traffic-monitor
                static_configs:
                  - targets: ["127.0.0.1:{monitor.Port}"]
            """);
        using var prometheus = Process.Start(new ProcessStartInfo("prometheus")
        {
            ArgumentList =
            {
                "--config.file=" + config, "--storage.tsdb.path=" + directory.Combine("data"), $"--web.listen-address=127.0.0.1:{port}",
            },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        var log = prometheus.StandardError.ReadToEndAsync();
        try
        {
            var counted = await QueryUntilAsync(port, "traffic_monitor_period_counted_bytes", prometheus, log);
            Assert.Equal((MonitorWithMetrics.Rx + MonitorWithMetrics.Tx).ToString(CultureInfo.InvariantCulture), counted);
            Assert.Equal("1", await QueryUntilAsync(port, "up{job=\"traffic-monitor\"}", prometheus, log));

            using var loaded = JsonDocument.Parse(await Http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/api/v1/rules")));
            var names = loaded.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray()
                .SelectMany(g => g.GetProperty("rules").EnumerateArray()).Select(r => r.GetProperty("name").GetString()).ToList();
            Assert.Contains("TrafficQuotaCriticalReached", names);
            Assert.Contains("TrafficMonitorStale", names);
        }
        finally
        {
            prometheus.Kill(entireProcessTree: true);
            prometheus.WaitForExit(10_000);
        }
    }

    /// <summary>The value of an instant query once it has one (Prometheus starts, then scrapes every second); bounded at 30 s.</summary>
    private static async Task<string> QueryUntilAsync(int port, string query, Process prometheus, Task<string> log)
    {
        var clock = Stopwatch.StartNew();
        var last = string.Empty;
        while (clock.Elapsed < TimeSpan.FromSeconds(30) && !prometheus.HasExited)
        {
            try
            {
                last = await Http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/api/v1/query?query={Uri.EscapeDataString(query)}"));
                using var answer = JsonDocument.Parse(last);
                var result = answer.RootElement.GetProperty("data").GetProperty("result");
                if (result.GetArrayLength() > 0)
                {
                    return result[0].GetProperty("value")[1].GetString()!;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(250);
        }

        if (!prometheus.HasExited)
        {
            prometheus.Kill();
        }

        Assert.Fail($"Prometheus gave no value for {query} within 30 s; last answer: {last}; its log: {await log}");
        return string.Empty;
    }

    [Fact]
    public void StatusPage_InHeadlessChromium_ShowsTheNumbersOfStatusJson()
    {
        using var profile = new TempDirectory();
        var dom = Chromium(profile, "--dump-dom", monitor.Url("/").ToString());
        var screenshot = Path.Combine(AppContext.BaseDirectory, "artifacts", "status-page.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        File.Delete(screenshot);
        Chromium(profile, "--screenshot=" + screenshot, "--window-size=1000,1000", monitor.Url("/").ToString());
        Assert.True(new FileInfo(screenshot).Length > 1000, "no screenshot");
        output.WriteLine($"Screenshot: {screenshot}");

        var status = CliRunner.Run(["status", "--json", "--config", monitor.Config]);
        Assert.Equal(0, status.ExitCode);
        using var json = JsonDocument.Parse(status.Output);
        var root = json.RootElement;
        foreach (var (id, key) in new[]
                 {
                     ("counted-bytes", "counted_bytes"), ("rx-bytes", "rx_bytes"), ("tx-bytes", "tx_bytes"), ("limit-bytes", "limit_bytes"),
                     ("critical-bytes", "critical_bytes"), ("next-stage-bytes", "next_stage_bytes"),
                 })
        {
            Assert.Equal(root.GetProperty(key).GetInt64().ToString(CultureInfo.InvariantCulture), Element(dom, id));
        }

        Assert.Equal(Math.Round(root.GetProperty("percent_used").GetDecimal(), 2).ToString("0.##", CultureInfo.InvariantCulture), Element(dom, "percent"));
        Assert.Equal($"{root.GetProperty("period_start").GetString()} to {root.GetProperty("period_end").GetString()}", Element(dom, "period"));
        Assert.Contains("<tr data-step=\"shutdown\">", dom, StringComparison.Ordinal);
        Assert.Contains("id=\"critical-mark\"", dom, StringComparison.Ordinal);
    }

    private static string Element(string dom, string id)
    {
        var match = Regex.Match(dom, $"id=\"{id}\"[^>]*>([^<]*)<");
        Assert.True(match.Success, $"no element #{id} in the page");
        return match.Groups[1].Value;
    }

    private static string Chromium(TempDirectory profile, params string[] arguments)
    {
        var (exitCode, dom, error) = Programs.TryRun(
            "chromium", ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=" + profile.Path, .. arguments]);
        Assert.True(exitCode == 0, $"chromium exited {exitCode}: {error}");
        return dom;
    }
}
