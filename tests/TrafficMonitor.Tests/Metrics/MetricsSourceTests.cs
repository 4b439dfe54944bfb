using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TrafficMonitor.Configuration;
using TrafficMonitor.Hosting;
using TrafficMonitor.Metrics;
using TrafficMonitor.Monitoring;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Metrics;

/// <summary>What a scrape answers as real checks (vnStat reading a database the test builds) succeed and fail.</summary>
public sealed class MetricsSourceTests : IDisposable
{
    private const long GB = 1_000_000_000;
    private readonly TempDirectory _directory = new();
    private readonly VnStatDatabase _vnstat = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 16, 0, 0, 0, TimeSpan.Zero));
    private readonly ServiceProvider _services;

    public MetricsSourceTests()
    {
        _time.SetLocalTimeZone(TimeZoneInfo.Utc);
        _vnstat.AddInterface("eth0").SetMonth("eth0", 2026, 11, 30 * GB, 0).SetUpdated("eth0", _time.GetLocalNow().DateTime);
        var yaml = TestSettings.Yaml(_directory.Combine("state"), _vnstat.ConfigFile, extra: "metrics:\n  enabled: true\n");
        _services = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(_time).AddSingleton(ProcessIdentity.New())
            .AddTrafficMonitor(ConfigLoader.Parse(yaml, "test.yaml", "/unused"), RunMode.Live).BuildServiceProvider();
    }

    public void Dispose()
    {
        _services.Dispose();
        _vnstat.Dispose();
        _directory.Dispose();
    }

    private string Scrape() => Encoding.UTF8.GetString(_services.GetRequiredService<MetricsSource>().Respond("/metrics").Body);

    private Task<CheckResult> CheckAsync() => _services.GetRequiredService<QuotaCheck>().CheckAsync(CancellationToken.None);

    [Fact]
    public async Task Respond_AfterAGoodCheck_GivesItsNumbers_AndAfterAFailedOneKeepsThemAndCountsTheError()
    {
        Assert.DoesNotContain("traffic_monitor_period_counted_bytes", Scrape(), StringComparison.Ordinal);

        Assert.Equal(CheckOutcome.Completed, (await CheckAsync()).Outcome);
        var good = Scrape();
        Assert.Contains($"\ntraffic_monitor_period_counted_bytes {30 * GB}\n", good, StringComparison.Ordinal);
        Assert.Contains($"\ntraffic_monitor_forecast_bytes {60 * GB}\n", good, StringComparison.Ordinal);
        Assert.Contains("\ntraffic_monitor_provider_errors_total 0\n", good, StringComparison.Ordinal);

        File.Delete(_vnstat.DatabaseFile);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(CheckOutcome.UsageUnavailable, (await CheckAsync()).Outcome);

        var failed = Scrape();
        Assert.Contains($"\ntraffic_monitor_period_counted_bytes {30 * GB}\n", failed, StringComparison.Ordinal);
        Assert.Contains("\ntraffic_monitor_provider_errors_total 1\n", failed, StringComparison.Ordinal);
        Assert.Contains("\ntraffic_monitor_provider_failing_checks 1\n", failed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Respond_BetweenChecks_ReusesTheSameAnswer()
    {
        await CheckAsync();
        var source = _services.GetRequiredService<MetricsSource>();
        var first = source.Respond("/metrics");

        Assert.Same(first.Body, source.Respond("/metrics").Body);

        _time.Advance(TimeSpan.FromMinutes(1));
        await CheckAsync();
        Assert.NotSame(first.Body, source.Respond("/metrics").Body);
    }
}
