using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TrafficMonitor.Configuration;
using TrafficMonitor.Hosting;
using TrafficMonitor.Monitoring;
using TrafficMonitor.Status;
using TrafficMonitor.Tests.Components;
using TrafficMonitor.Tests.Usage.SystemCounters;
using TrafficMonitor.Usage.SystemCounters;
using TrafficMonitor.Usage.SystemCounters.Linux;

namespace TrafficMonitor.Tests.Usage.ProviderApi;

/// <summary>
/// Whole checks with provider_api against a local stand-in of the provider's API, the kernel's counters faked
/// through /proc, the clock under the test's control and notifications going to a local webhook.
/// </summary>
public sealed class ProviderUsageTests : IDisposable
{
    private const long GiB = 1L << 30;
    private const string Token = "hcloud-SECRET-token-123";
    private readonly TempDirectory _state = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 10, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeProc _proc = new FakeProc().Set("eth0", 5 * GiB, 7 * GiB);
    private readonly WebhookServer _hook = new();
    private readonly LogRecorder _logs = new();
    private readonly List<ServiceProvider> _services = [];
    private ProviderApiServer _api = ProviderApiServer.Hetzner();

    public void Dispose()
    {
        _services.ForEach(s => s.Dispose());
        _api.Dispose();
        _hook.Dispose();
        _state.Dispose();
    }

    private ServiceProvider Services(string providerApi = "", string thresholds = "", string monitor = "", RunMode? mode = null, string actions = "")
    {
        var yaml = TestSettings.Yaml(
            _state.Path,
            totalLimit: thresholds.Length > 0 ? thresholds : "\"20 TiB\"",
            interval: "\"1 TiB\"",
            monitor: "provider: system\ncount: tx\n" + monitor,
            // actions goes on the actions section TestSettings writes last (its rules, indented under it).
            extra: actions + $"""
                provider_api:
                  kind: {(providerApi.Length > 0 ? providerApi : "hetzner")}
                  {(providerApi == "kiwivm" ? "veid" : "server_id")}: 42
                  api_url: {_api.Url}
                  poll: 15m
                webhooks:
                  - url: {_hook.Url()}
                """);
        var settings = ConfigLoader.Parse(yaml, "test.yaml", "/unused", name => name == ProviderApiOptions.TokenEnvironmentVariable ? Token : null);
        var services = new ServiceCollection()
            .AddLogging(logging => logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace))
            .AddSingleton<TimeProvider>(_time)
            .AddSingleton(ProcessIdentity.New())
            .AddSingleton<IInterfaceCounters>(new LinuxInterfaceCounters(_proc, _time))
            .AddTrafficMonitor(settings, mode ?? RunMode.Live)
            .BuildServiceProvider();
        _services.Add(services);
        return services;
    }

    private QuotaCheck CreateSut(string providerApi = "", string thresholds = "", string monitor = "") =>
        Services(providerApi, thresholds, monitor).GetRequiredService<QuotaCheck>();

    private static async Task<long> CountedAsync(QuotaCheck check)
    {
        var result = await check.RunAsync(CancellationToken.None);
        Assert.Equal(CheckOutcome.Completed, result.Outcome);
        return result.Snapshot!.UsedBytes;
    }

    private List<string?> Events() =>
        _hook.Requests.Select(r => System.Text.Json.JsonDocument.Parse(r.Body).RootElement.GetProperty("event").GetString()).ToList();

    private void Later(TimeSpan time, long sentBytes = 0)
    {
        _time.Advance(time);
        _proc.Add("eth0", 0, (ulong)sentBytes);
    }

    [Fact]
    public async Task Check_ProviderReading_CountsItPlusWhatWasSentSince()
    {
        _api.Outgoing = 100 * GiB;
        var check = CreateSut();

        Assert.Equal(100 * GiB, await CountedAsync(check));
        Later(TimeSpan.FromMinutes(1), 3 * GiB);
        Assert.Equal(103 * GiB, await CountedAsync(check));

        // The provider's meter caught up with those 3 GiB and one more: it counts again from its figure.
        _api.Outgoing = 104 * GiB;
        Later(TimeSpan.FromMinutes(14));
        Assert.Equal(104 * GiB, await CountedAsync(check));
        Assert.Equal(2, _api.Requests.Count);
    }

    [Fact]
    public async Task Check_ReceivedTraffic_DoesNotCountForHetzner()
    {
        _api.Outgoing = 10 * GiB;
        var check = CreateSut();
        await CountedAsync(check);

        _time.Advance(TimeSpan.FromMinutes(1));
        _proc.Add("eth0", 50 * GiB, 1 * GiB);

        Assert.Equal(11 * GiB, await CountedAsync(check));
    }

    [Fact]
    public async Task Check_EveryMinuteForAnHour_AsksTheApiOnlyEveryPoll()
    {
        var check = CreateSut();
        for (var minute = 0; minute < 60; minute++)
        {
            await CountedAsync(check);
            Later(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(4, _api.Requests.Count);
    }

    [Fact]
    public async Task Check_Restarted_DoesNotAskBeforeThePollIsDue()
    {
        await CountedAsync(CreateSut());
        Later(TimeSpan.FromMinutes(5));

        await CountedAsync(CreateSut());

        Assert.Single(_api.Requests);
    }

    [Fact]
    public async Task Check_ApiOutage_CountsOnFromTheLastReadingAndSaysSoOnce()
    {
        _api.Outgoing = 100 * GiB;
        var check = CreateSut();
        await CountedAsync(check);

        _api.Answer(new Reply(500, "oops"), new Reply(503), Reply.TooManyRequests("3600"), new Reply(500));
        Later(TimeSpan.FromMinutes(15), 2 * GiB);
        Assert.Equal(102 * GiB, await CountedAsync(check));
        for (var i = 0; i < 12; i++)
        {
            Later(TimeSpan.FromMinutes(10), 1 * GiB);
            Assert.Equal((103 + i) * GiB, await CountedAsync(check));
        }

        Assert.Equal(["provider_unavailable"], Events());
        Assert.Single(_logs.Lines, l => l.Contains($"[{LogEvents.ProviderDegraded}]", StringComparison.Ordinal));
        // Checked every 10 min from minute 25; failed tries at 15, then 35 (poll), 75 (backoff 30 min), 135 (Retry-After 1 h).
        Assert.Equal(5, _api.Requests.Count);
    }

    [Fact]
    public async Task Check_ApiRecovers_CountsFromItsMeterAgain()
    {
        _api.Outgoing = 100 * GiB;
        var check = CreateSut();
        await CountedAsync(check);
        _api.Answer(new Reply(500));
        Later(TimeSpan.FromMinutes(15), 2 * GiB);
        await CountedAsync(check);

        _api.Outgoing = 103 * GiB;
        Later(TimeSpan.FromMinutes(15));

        Assert.Equal(103 * GiB, await CountedAsync(check));
        Assert.Contains(_logs.Lines, l => l.Contains($"[{LogEvents.ProviderRecovered}]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_MalformedAnswer_IsNeverUsed()
    {
        _api.Outgoing = 100 * GiB;
        var check = CreateSut();
        await CountedAsync(check);

        _api.Answer(new Reply(200, """{"server": {"outgoing_traffic": 1}}"""));
        Later(TimeSpan.FromMinutes(15), 1 * GiB);

        Assert.Equal(101 * GiB, await CountedAsync(check));
    }

    [Fact]
    public async Task Check_OwnCountTenPercentOffTheProviders_IsReportedOncePerPeriod()
    {
        var check = CreateSut();
        await CountedAsync(check);

        for (var i = 1; i <= 4; i++)
        {
            _api.Outgoing = i * 10 * GiB;
            Later(TimeSpan.FromHours(2), 11 * GiB);
            await CountedAsync(check);
        }

        Assert.Equal(["provider_disagrees"], Events());
        var body = _hook.Requests[0].Body;
        Assert.Contains("10 GiB", body, StringComparison.Ordinal);
        Assert.Contains("11 GiB", body, StringComparison.Ordinal);
        await CountedAsync(CreateSut());
        Assert.Single(Events());
    }

    [Fact]
    public async Task Check_OwnCountWithinTolerance_IsQuiet()
    {
        var check = CreateSut();
        await CountedAsync(check);

        _api.Outgoing = 100 * GiB;
        Later(TimeSpan.FromHours(5), 104 * GiB);
        await CountedAsync(check);

        Assert.Empty(Events());
    }

    [Fact]
    public async Task Check_TotalLimitProvider_DecidesOnTheIncludedTraffic()
    {
        _api.Included = 20L << 40;
        _api.Outgoing = 19L << 40;

        var result = await CreateSut(thresholds: "provider").RunAsync(CancellationToken.None);

        Assert.Equal(20L << 40, result.Snapshot!.LimitBytes);
        Assert.Equal(95, result.Snapshot.Percent);
    }

    [Fact]
    public async Task Check_TotalLimitProvider_TheShutdownsPointIsTheCriticalPointOfTheProvidersLimit()
    {
        _api.Included = 20L << 40;
        _api.Outgoing = 1L << 40;

        var result = await CreateSut(thresholds: "provider").RunAsync(CancellationToken.None);

        // critical_percentage 90 of the provider's 20 TiB, not of the stand-in the settings hold until it answers.
        Assert.Equal(18L << 40, Assert.Single(result.Snapshot!.Progress!.Steps).AtBytes);
    }

    [Fact]
    public async Task Check_TotalLimitProviderWithALadder_StepsAtAPercentageFollowTheProvidersLimit()
    {
        // 50% of the provider's 20 TiB is 10 TiB; the configured stand-in limit would put it hundreds of TiB away.
        _api.Included = 20L << 40;
        _api.Outgoing = 11L << 40;
        var services = Services(thresholds: "provider", actions: """
              rules:
                - {at: "50%", do: command, id: slow, run: ["true"], undo: ["true"]}
                - {at: "30 TiB", do: command, id: fixed, run: ["true"]}

            """);
        var check = services.GetRequiredService<QuotaCheck>();

        var result = await check.RunAsync(CancellationToken.None);

        Assert.Equal(CheckOutcome.Completed, result.Outcome);
        Assert.True(result.State!.Step("slow").InForce);
        Assert.Null(result.State.Step("fixed").LastRunAt);
        var steps = result.Snapshot!.Progress!.Steps.ToDictionary(s => s.Id, s => s.AtBytes);
        Assert.Equal(10L << 40, steps["slow"]);
        Assert.Equal(30L << 40, steps["fixed"]);
        var inForce = result.Snapshot.Reading!.Thresholds(services.GetRequiredService<TrafficMonitorSettings>().Thresholds);
        Assert.Equal([10L << 40, 30L << 40], check.StepPointsFor(inForce));
    }

    [Fact]
    public async Task Check_TotalLimitProviderApiNeverAnswered_DecidesNothing()
    {
        _api.Answer(new Reply(401, """{"error": {"code": "unauthorized", "message": "unable to authenticate"}}"""));

        var result = await CreateSut(thresholds: "provider").RunAsync(CancellationToken.None);

        Assert.Equal(CheckOutcome.UsageUnavailable, result.Outcome);
        Assert.Contains(_logs.Lines, l => l.Contains("thresholds.total_limit is provider", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_KiwiVmResetDayProvider_UsesThePeriodItResetsOn()
    {
        _api.Dispose();
        _api = ProviderApiServer.KiwiVm();
        _api.Outgoing = 300 * GiB;
        _api.Multiplier = 2;
        _api.NextReset = new DateTimeOffset(2026, 11, 17, 3, 0, 0, TimeSpan.Zero);

        var result = await CreateSut(providerApi: "kiwivm", thresholds: "provider", monitor: "reset_day: provider").RunAsync(CancellationToken.None);

        Assert.Equal(new DateOnly(2026, 10, 17), result.Snapshot!.Period.Start);
        Assert.Equal(600 * GiB, result.Snapshot.UsedBytes);
        Assert.Equal(2 * (20L << 40), result.Snapshot.LimitBytes);
    }

    [Fact]
    public async Task Check_ResetDayProviderNeverAnswered_DecidesNothingAndDoesNotAskBeforeThePoll()
    {
        _api.Dispose();
        _api = ProviderApiServer.KiwiVm();
        _api.Answer(new Reply(500), new Reply(500));
        var check = CreateSut(providerApi: "kiwivm", monitor: "reset_day: provider");

        var first = await check.RunAsync(CancellationToken.None);
        Later(TimeSpan.FromMinutes(5));
        var second = await CreateSut(providerApi: "kiwivm", monitor: "reset_day: provider").RunAsync(CancellationToken.None);

        Assert.Equal((CheckOutcome.UsageUnavailable, CheckOutcome.UsageUnavailable), (first.Outcome, second.Outcome));
        Assert.Single(_api.Requests);
        Assert.Contains(_logs.Lines, l => l.Contains("monitor.reset_day is provider", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Status_ShowsBothCountsAndTheirDifference_WithoutTheToken()
    {
        _api.Outgoing = 100 * GiB;
        var check = CreateSut();
        await CountedAsync(check);
        Later(TimeSpan.FromMinutes(5), 2 * GiB);

        var services = Services(mode: RunMode.ReadOnly);
        var report = await ActivatorUtilities.CreateInstance<StatusReporter>(services).BuildAsync(CancellationToken.None);
        var text = StatusReporter.FormatText(report, SizeUnits.Gibibytes);
        var json = System.Text.Json.JsonSerializer.Serialize(report, StatusJsonContext.Default.StatusReport);

        var api = report.ProviderApi!;
        Assert.Equal((102 * GiB, 2 * GiB, 100 * GiB), (api.CountedBytes, api.OwnBytes, api.DifferenceBytes));
        Assert.Equal(100 * GiB, api.ProviderBytes);
        Assert.Contains("Provider meter:  hetzner (outgoing traffic only): 100 GiB", text, StringComparison.Ordinal);
        Assert.Contains("Own count:       2 GiB", text, StringComparison.Ordinal);
        Assert.Contains("\"difference_bytes\": 107374182400", json, StringComparison.Ordinal);
        Assert.Single(_api.Requests);
        Assert.DoesNotContain(Token, text + json + _logs.Text, StringComparison.Ordinal);
    }
}
