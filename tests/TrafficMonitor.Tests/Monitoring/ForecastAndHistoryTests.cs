using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TrafficMonitor.Cli;
using TrafficMonitor.Configuration;
using TrafficMonitor.Hosting;
using TrafficMonitor.Monitoring;
using TrafficMonitor.Quota;
using TrafficMonitor.State;
using TrafficMonitor.Tests.Components;
using TrafficMonitor.Usage;

namespace TrafficMonitor.Tests.Monitoring;

/// <summary>Usage with its days, set by the test.</summary>
internal sealed class ScriptedDays : IUsageSource
{
    public Dictionary<DateOnly, long> Days { get; } = [];

    public string Name => "scripted";

    public Task<UsageReading> ReadAsync(BillingPeriod period, CancellationToken cancellationToken)
    {
        var days = Days.Where(d => period.Contains(d.Key)).OrderBy(d => d.Key).Select(d => new DayUsage(d.Key, d.Value, 0)).ToList();
        return Task.FromResult(new UsageReading(Name, period, [new InterfaceUsage("eth0", days.Sum(d => d.Rx), 0)], null) { Days = days });
    }
}

/// <summary>
/// Whole checks with the clock under the test's control: the forecast warning (once per period, again when the day
/// comes a day or more earlier) and the period history written at a simulated rollover, read back by <c>history</c>.
/// </summary>
public sealed class ForecastAndHistoryTests : IDisposable
{
    private const long GB = 1_000_000_000;
    private readonly TempDirectory _directory = new();
    private readonly CommandRecorder _shutdown = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 15, 7, 0, 0, TimeSpan.Zero));
    private readonly ScriptedDays _usage = new();
    private readonly List<ServiceProvider> _services = [];

    public ForecastAndHistoryTests() => _time.SetLocalTimeZone(TimeZoneInfo.Utc);

    public void Dispose()
    {
        _services.ForEach(s => s.Dispose());
        _shutdown.Dispose();
        _directory.Dispose();
    }

    private string Yaml => TestSettings.Yaml(_directory.Combine("state"), shutdownCommand: _shutdown.YamlCommand);

    private QuotaCheck CreateSut()
    {
        var settings = ConfigLoader.Parse(Yaml, "test.yaml", "/unused");
        var services = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(_time).AddSingleton(ProcessIdentity.New())
            .AddTrafficMonitor(settings, RunMode.Live);
        services.AddSingleton<IUsageSource>(_usage);
        var provider = services.BuildServiceProvider();
        _services.Add(provider);
        return provider.GetRequiredService<QuotaCheck>();
    }

    /// <summary>Fourteen days of 4 GB, and 1 GB so far today (the 15th, 07:00): about 4 GB a day, 57 GB used.</summary>
    private void FourGigabytesADay()
    {
        for (var day = 1; day <= 14; day++)
        {
            _usage.Days[new DateOnly(2026, 11, day)] = 4 * GB;
        }

        _usage.Days[new DateOnly(2026, 11, 15)] = GB;
    }

    [Fact]
    public async Task Check_ForecastReachesTheCriticalPoint_WarnsOncePerPeriodAndAgainWhenADayEarlier()
    {
        FourGigabytesADay();
        var check = CreateSut();

        var first = (await check.RunAsync(CancellationToken.None)).Decision!;
        Assert.NotNull(first.ForecastToNotify);
        var day = first.ForecastToNotify.CriticalDay!.Value;
        Assert.InRange(day, new DateOnly(2026, 11, 22), new DateOnly(2026, 11, 24));

        // The same forecast an hour later, and after a restart: nothing more to say.
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Null((await check.RunAsync(CancellationToken.None)).Decision!.ForecastToNotify);
        Assert.Null((await CreateSut().RunAsync(CancellationToken.None)).Decision!.ForecastToNotify);

        // A busy morning brings the day forward by more than a day: said again, with the new day.
        _usage.Days[new DateOnly(2026, 11, 15)] = 12 * GB;
        var earlier = (await check.RunAsync(CancellationToken.None)).Decision!.ForecastToNotify;
        Assert.NotNull(earlier);
        Assert.True(earlier.CriticalDay <= day.AddDays(-1), $"{earlier.CriticalDay} is not a day before {day}");
        Assert.Equal(earlier.CriticalDay, check.LastSnapshot!.Forecast!.CriticalDay);
    }

    [Fact]
    public async Task Check_QuietPeriod_NeverWarns()
    {
        for (var day = 1; day <= 15; day++)
        {
            _usage.Days[new DateOnly(2026, 11, day)] = GB;
        }

        Assert.Null((await CreateSut().RunAsync(CancellationToken.None)).Decision!.ForecastToNotify);
    }

    [Fact]
    public async Task Rollover_AddsTheEndedPeriodToTheHistory_WhichHistoryShows()
    {
        FourGigabytesADay();
        var check = CreateSut();
        await check.RunAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromDays(10)); // 25 November: 95 GB, over the critical point
        _usage.Days[new DateOnly(2026, 11, 25)] = 38 * GB;
        await check.RunAsync(CancellationToken.None);
        Assert.Single(_shutdown.Calls);
        Assert.False(File.Exists(_directory.Combine("state", HistoryStore.FileName)));

        _time.Advance(TimeSpan.FromDays(6)); // 1 December, 07:00: a new period
        _usage.Days[new DateOnly(2026, 12, 1)] = 2 * GB;
        var result = await check.RunAsync(CancellationToken.None);
        Assert.True(result.Decision!.NewPeriodStarted);

        var (code, json) = await HistoryAsync("--json");
        Assert.Equal(0, code);
        var november = Assert.Single(JsonDocument.Parse(json).RootElement.GetProperty("periods").EnumerateArray());
        Assert.Equal("2026-11-01", november.GetProperty("period_start").GetString());
        Assert.Equal("2026-11-30", november.GetProperty("period_end").GetString());
        Assert.Equal(95 * GB, november.GetProperty("counted_bytes").GetInt64());
        Assert.Equal(95 * GB, november.GetProperty("rx_bytes").GetInt64());
        Assert.Equal(0, november.GetProperty("tx_bytes").GetInt64());
        Assert.Equal(100 * GB, november.GetProperty("limit_bytes").GetInt64());
        Assert.Equal("scripted", november.GetProperty("source").GetString());
        Assert.True(november.GetProperty("critical_notified").GetBoolean());
        Assert.Equal(JsonValueKind.String, november.GetProperty("forecast_critical_day").ValueKind);
        var shutdown = Assert.Single(november.GetProperty("steps").EnumerateArray());
        Assert.Equal(1, shutdown.GetProperty("runs").GetInt32());

        var (_, text) = await HistoryAsync();
        Assert.Contains("2026-11-01 to 2026-11-30", text, StringComparison.Ordinal);
        Assert.Contains("95 GB", text, StringComparison.Ordinal);
        Assert.Contains("critical; shutdown ran 1x", text, StringComparison.Ordinal);

        // The next check of December, and a restart, do not add November again.
        _time.Advance(TimeSpan.FromHours(1));
        await CreateSut().RunAsync(CancellationToken.None);
        Assert.Single(new HistoryStore(_directory.Combine("state"), _time, Microsoft.Extensions.Logging.Abstractions.NullLogger<HistoryStore>.Instance).Peek().Periods);
    }

    [Fact]
    public async Task History_Nothing_SaysWhenAPeriodIsAdded()
    {
        var (code, text) = await HistoryAsync();

        Assert.Equal(0, code);
        Assert.Contains("No past period recorded yet", text, StringComparison.Ordinal);
    }

    [Fact]
    public void HistoryStore_KeepsTheNewestPeriodsOnly()
    {
        var store = new HistoryStore(_directory.Combine("state"), _time, Microsoft.Extensions.Logging.Abstractions.NullLogger<HistoryStore>.Instance);
        Directory.CreateDirectory(_directory.Combine("state"));
        var start = new DateOnly(2020, 1, 1);
        for (var i = 0; i < PeriodHistory.MaxPeriods + 5; i++)
        {
            store.Add(new PeriodRecord { PeriodStart = start.AddMonths(i), PeriodEnd = start.AddMonths(i + 1).AddDays(-1), LimitBytes = GB, CriticalBytes = GB, CountedBytes = i });
        }

        var periods = store.Peek().Periods;
        Assert.Equal(PeriodHistory.MaxPeriods, periods.Count);
        Assert.Equal(start.AddMonths(5), periods[0].PeriodStart);
        Assert.Equal(start.AddMonths(PeriodHistory.MaxPeriods + 4), periods[^1].PeriodStart);
    }

    [Fact]
    public void HistoryStore_DamagedFile_IsMovedAsideAndStartedAfresh()
    {
        Directory.CreateDirectory(_directory.Combine("state"));
        File.WriteAllText(_directory.Combine("state", HistoryStore.FileName), """{"version": 1, "periods": [{"period_start": "2026-11-01", "period_end": "2026-10-01", "limit_bytes": 1, "critical_bytes": 1}]}""");
        var store = new HistoryStore(_directory.Combine("state"), _time, Microsoft.Extensions.Logging.Abstractions.NullLogger<HistoryStore>.Instance);
        Assert.Empty(store.Peek().Periods);

        store.Add(new PeriodRecord { PeriodStart = new DateOnly(2026, 11, 1), PeriodEnd = new DateOnly(2026, 11, 30), LimitBytes = GB, CriticalBytes = GB });

        Assert.Single(store.Peek().Periods);
        Assert.Single(Directory.GetFiles(_directory.Combine("state"), HistoryStore.FileName + ".unreadable-*"));
    }

    private async Task<(int ExitCode, string Output)> HistoryAsync(params string[] extra)
    {
        var config = _directory.Write("settings.yaml", Yaml);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await new CliApplication(output, error, _ => null).InvokeAsync(["history", "--config", config, .. extra]);
        return (code, output.ToString());
    }
}
