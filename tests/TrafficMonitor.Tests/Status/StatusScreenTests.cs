using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TrafficMonitor.Cli;
using TrafficMonitor.Configuration;
using TrafficMonitor.Status;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Status;

/// <summary>
/// The status screen: plain ASCII when piped or with NO_COLOR (pinned as text), colour and Unicode on a terminal, and
/// <c>--json</c> with the same figures as integers, read from a vnStat database the test builds at a fixed time.
/// </summary>
public sealed class StatusScreenTests : IDisposable
{
    private const long GB = 1_000_000_000;
    private readonly TempDirectory _directory = new();
    private readonly VnStatDatabase _vnstat = new();

    // The 11th of a period that started on the 1st: ten whole days and noon of the eleventh.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 11, 12, 0, 0, TimeSpan.Zero));

    public StatusScreenTests()
    {
        _time.SetLocalTimeZone(TimeZoneInfo.Utc);
        _vnstat.AddInterface("tmtest0").AddInterface("tmtest1");
    }

    public void Dispose()
    {
        _vnstat.Dispose();
        _directory.Dispose();
    }

    private static StatusReport Report() => new()
    {
        ConfigFile = "/etc/traffic-monitor/settings.yaml",
        Provider = "vnstat",
        ProviderSetting = "vnstat",
        CountMode = "total",
        PeriodStart = new DateOnly(2026, 11, 1),
        PeriodEnd = new DateOnly(2026, 11, 30),
        ResetDay = 1,
        Interfaces = [new StatusInterface("eth0", 40 * GB, 10 * GB) { CountedBytes = 50 * GB }, new StatusInterface("eth1", 5 * GB, 0) { CountedBytes = 5 * GB }],
        RxBytes = 45 * GB,
        TxBytes = 10 * GB,
        CountedBytes = 55 * GB,
        LimitBytes = 100 * GB,
        PercentUsed = 55m,
        IntervalBytes = 10 * GB,
        StagesNotified = [10 * GB, 20 * GB, 30 * GB, 40 * GB, 50 * GB],
        NextStageBytes = 60 * GB,
        CriticalBytes = 90 * GB,
        CriticalPercentage = 90,
        CriticalReached = false,
        CriticalNotified = false,
        Action = new StatusAction("shutdown", true, ["shutdown", "-h", "+1"], false, null, 0, 0),
        AdjustPercent = 0,
        CalibrationOffsetBytes = 0,
        CheckedAt = new DateTimeOffset(2026, 11, 11, 12, 0, 0, TimeSpan.Zero),
        Today = new DateOnly(2026, 11, 11),
        Days = [.. Enumerable.Range(1, 10).Select(d => new StatusDay(new DateOnly(2026, 11, d), d * GB / 2, 0, d * GB / 2)), new StatusDay(new DateOnly(2026, 11, 11), 27 * GB / 2, 0, 27 * GB / 2)],
        Steps = [new StatusStep("shutdown", 90 * GB, true, false, null, 0, 0)],
        Forecast = new StatusForecast(7 * GB, 190 * GB, 150 * GB, new DateTimeOffset(2026, 11, 16, 6, 0, 0, TimeSpan.Zero), true, 20, 7 * GB / 4, 276, true),
        Monitor = new StatusMonitorView(new DateTimeOffset(2026, 11, 11, 11, 59, 30, TimeSpan.Zero), 30, "vnstat", 55 * GB, 45 * GB, 10 * GB, false,
            [new StatusStep("shutdown", 90 * GB, true, false, null, 0, 0)]),
        CheckIntervalSeconds = 60,
    };

    [Fact]
    public void Render_Plain_IsAsciiWithTheBarChartTableAndForecast()
    {
        var text = StatusScreen.Render(Report(), new SizeUnits(UnitSystem.Decimal, 3), ScreenStyle.Plain);

        Assert.Equal(
            """

            Usage  [#################################...........................] 55%
                          |     |     |     |     |     |     |     |     ^     >
                    | a stage every 10 GB   ^ critical point 90 GB: shutdown
                    > projected 190 GB at the period's end

            Per day (counted; the tallest is 13.5 GB)
                                  #
                                  #
                                  #
                                  #
                          # # # # #
                  # # # # # # # # # . . . . . . . . . . . . . . . . . . .
              01            08            15            22            29   (day of the month)

            Interface     rx     tx  counted (total)
            eth0       40 GB  10 GB            50 GB
            eth1        5 GB    0 B             5 GB

            Forecast:        190 GB at the period's end at the recent 7 GB/day
                             150 GB at the period's average rate (vnStat's linear estimate)
            At this rate:    the critical point is reached 2026-11-16 06:00 +00:00, before the period ends
            Today's budget:  1.75 GB a day for 20 days left (to the critical point / days left)

            Monitor:         last check 30 s ago from vnstat: counted 55 GB; shutdown not run

            """.ReplaceLineEndings(),
            text);
        Assert.All(text, c => Assert.True(c < 128, $"'{c}' is not ASCII"));
    }

    [Fact]
    public void Render_QuietToday_ChartsTodayAsADayNotAsOneToCome()
    {
        var report = Report() with { Today = new DateOnly(2026, 11, 12) };

        var chartBase = StatusScreen.Render(report, new SizeUnits(UnitSystem.Decimal, 3), ScreenStyle.Plain)
            .Split(Environment.NewLine).Single(l => l.Contains(". .", StringComparison.Ordinal));

        // Eleven days drawn, the twelfth (today, no traffic yet) blank rather than a dot, then 18 days to come.
        Assert.EndsWith("#   " + string.Join(' ', Enumerable.Repeat(".", 18)), chartBase, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_KernelQuotaArmedAhead_IsMarkedWhereItStopsTrafficNotWhereItIsArmed()
    {
        var quota = new StatusStep("quota@80%", 70 * GB, true, false, null, 0, 0) { Kind = "quota", StopsAtBytes = 80 * GB };
        var atCritical = new StatusStep("quota@90%", 60 * GB, true, false, null, 0, 0) { Kind = "quota", StopsAtBytes = 90 * GB };

        var text = StatusScreen.Render(Report() with { Steps = [quota, atCritical], Forecast = null }, new SizeUnits(UnitSystem.Decimal, 3), ScreenStyle.Plain);

        var lines = text.Split(Environment.NewLine);
        var bar = Array.FindIndex(lines, l => l.StartsWith("Usage  [", StringComparison.Ordinal));
        // "Usage  [" is eight columns; 80 GB of 100 GB on a 60-cell bar is cell 48.
        Assert.Equal('1', lines[bar + 1][8 + 48]);
        Assert.Contains("1 quota@80% stops traffic at 80 GB (armed at 70 GB)", text, StringComparison.Ordinal);
        Assert.Contains("^ critical point 90 GB: quota@90% stops traffic (armed at 60 GB)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Terminal_UsesColourAndUnicode()
    {
        var text = StatusScreen.Render(Report(), new SizeUnits(UnitSystem.Decimal, 3), new ScreenStyle(Color: true, Unicode: true, Width: 100));

        Assert.Contains("\u001b[", text, StringComparison.Ordinal);
        Assert.Contains("█", text, StringComparison.Ordinal);
        Assert.Contains("▲ critical point 90 GB: shutdown", text, StringComparison.Ordinal);
        Assert.Contains("÷", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, null, null)]
    [InlineData(true, "1", null)]
    [InlineData(true, null, "dumb")]
    public void ScreenStyle_PipedOrNoColorOrDumbTerminal_IsPlain(bool terminal, string? noColor, string? term) =>
        Assert.Same(ScreenStyle.Plain, ScreenStyle.For(terminal, name => name switch { "NO_COLOR" => noColor, "TERM" => term, _ => null }, 120));

    [Fact]
    public void ScreenStyle_Terminal_HasColourAndUnicode() =>
        Assert.Equal(new ScreenStyle(true, true, 120), ScreenStyle.For(true, name => name == "TERM" ? "xterm-256color" : null, 120));

    private async Task<(int ExitCode, string Output)> StatusAsync(params string[] extra)
    {
        var config = _directory.Write("settings.yaml", TestSettings.Yaml(_directory.Combine("state"), _vnstat.ConfigFile, monitor: "interfaces: [tmtest0, tmtest1]"));
        using var output = new StringWriter();
        using var error = new StringWriter();
        var app = new CliApplication(output, error, _ => null, services => services.AddSingleton<TimeProvider>(_time));
        var code = await app.InvokeAsync(["status", "--config", config, .. extra]);
        return (code, output.ToString());
    }

    /// <summary>Ten days of 4 GB on tmtest0 (3 rx, 1 tx), then 2 GB by noon of the eleventh; tmtest1 1 GB on the 11th. The month row holds the same.</summary>
    private void TenDaysOfTraffic()
    {
        for (var day = 1; day <= 10; day++)
        {
            _vnstat.SetDay("tmtest0", new DateOnly(2026, 11, day), 3 * GB, 1 * GB);
        }

        _vnstat.SetDay("tmtest0", new DateOnly(2026, 11, 11), 2 * GB, 0).SetDay("tmtest1", new DateOnly(2026, 11, 11), GB, 0)
            .SetMonth("tmtest0", 2026, 11, 32 * GB, 10 * GB).SetMonth("tmtest1", 2026, 11, GB, 0)
            .SetUpdated("tmtest0", _time.GetUtcNow().UtcDateTime).SetUpdated("tmtest1", _time.GetUtcNow().UtcDateTime);
    }

    [Fact]
    public async Task Status_Json_CarriesTheDaysTheForecastAndTheStepsAsIntegers()
    {
        TenDaysOfTraffic();

        var (code, output) = await StatusAsync("--json");

        Assert.Equal(0, code);
        var status = JsonDocument.Parse(output).RootElement;
        Assert.Equal(43 * GB, status.GetProperty("counted_bytes").GetInt64());
        var days = status.GetProperty("days").EnumerateArray().ToList();
        Assert.Equal(11, days.Count);
        Assert.Equal("2026-11-01", days[0].GetProperty("date").GetString());
        Assert.Equal(4 * GB, days[0].GetProperty("counted_bytes").GetInt64());
        Assert.Equal(3 * GB, days[10].GetProperty("counted_bytes").GetInt64());
        Assert.Equal(11 * GB, status.GetProperty("interfaces")[0].GetProperty("counted_bytes").GetInt64() - 31 * GB);

        var forecast = status.GetProperty("forecast");
        // 43 GB in 10.5 days of a 30-day period: vnStat's estimate.
        Assert.Equal((long)Math.Round(43.0 * GB / 10.5 * 30), forecast.GetProperty("linear_bytes").GetInt64());
        Assert.Equal(20, forecast.GetProperty("days_left").GetInt32());
        Assert.Equal((90 - 43) * GB / 20, forecast.GetProperty("daily_budget_bytes").GetInt64());
        Assert.True(forecast.GetProperty("settled").GetBoolean());
        // Today runs at 6 GB a day, the days before at 4: the recent rate sits between, nearer 4 than 6 (today is half a day).
        Assert.InRange(forecast.GetProperty("recent_bytes_per_day").GetInt64(), 4 * GB, 5 * GB);
        // At about 4.3 GB a day the remaining 47 GB to the critical point last some eleven days.
        Assert.True(forecast.GetProperty("critical_before_period_end").GetBoolean());
        Assert.InRange(forecast.GetProperty("critical_at").GetDateTimeOffset(), new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero));

        var step = Assert.Single(status.GetProperty("steps").EnumerateArray());
        Assert.Equal(90 * GB, step.GetProperty("at_bytes").GetInt64());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("monitor").ValueKind);
        Assert.Equal("2026-11-11", status.GetProperty("today").GetString());
    }

    [Fact]
    public async Task Status_Piped_IsPlainAscii()
    {
        TenDaysOfTraffic();

        var (code, output) = await StatusAsync();

        Assert.Equal(0, code);
        Assert.Contains("Usage  [", output, StringComparison.Ordinal);
        Assert.Contains("Per day (counted; the tallest is 4 GB)", output, StringComparison.Ordinal);
        Assert.Contains("tmtest1", output, StringComparison.Ordinal);
        Assert.Contains("Today's budget:  2.35 GB a day for 20 days left", output, StringComparison.Ordinal);
        Assert.Contains("Monitor:         no check recorded this period", output, StringComparison.Ordinal);
        Assert.All(output, c => Assert.True(c < 128, $"'{c}' is not ASCII"));
    }
}
