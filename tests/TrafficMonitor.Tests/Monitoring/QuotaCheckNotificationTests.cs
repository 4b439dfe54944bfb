using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TrafficMonitor.Configuration;
using TrafficMonitor.Hosting;
using TrafficMonitor.Monitoring;
using TrafficMonitor.Notifications;
using TrafficMonitor.Quota;
using TrafficMonitor.Tests.Components;
using TrafficMonitor.Usage;

namespace TrafficMonitor.Tests.Monitoring;

/// <summary>Usage the test sets by hand, or a failure to read it.</summary>
internal sealed class ScriptedUsage : IUsageSource
{
    public long Bytes { get; set; }

    public bool Broken { get; set; }

    public string Name => "scripted";

    public Task<UsageReading> ReadAsync(BillingPeriod period, CancellationToken cancellationToken) => Broken
        ? throw new UsageUnavailableException("vnStat failed (exit code 1): database locked")
        : Task.FromResult(new UsageReading(Name, period, [new InterfaceUsage("eth0", Bytes / 2, Bytes - (Bytes / 2))], null));
}

public sealed class QuotaCheckNotificationTests : IDisposable
{
    private const long GB = 1_000_000_000;
    private readonly TempDirectory _stateDir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 15, 7, 0, 0, TimeSpan.Zero));
    private readonly ScriptedUsage _usage = new();
    private readonly LogRecorder _logs = new();
    private readonly List<ServiceProvider> _services = [];

    public void Dispose()
    {
        _services.ForEach(s => s.Dispose());
        _stateDir.Dispose();
    }

    [Fact]
    public async Task Run_SmtpDownDuringAStage_EmailArrivesOnceTheServerIsBackAndOnlyOnce()
    {
        var port = SmtpServer.FreePort();
        var check = CreateSut(TestSettings.Email(port));
        _usage.Bytes = 12 * GB;

        await check.RunAsync(CancellationToken.None);
        using var smtp = new SmtpServer(port: port);
        await check.RunAsync(CancellationToken.None);
        _time.Advance(NotificationDispatcher.FirstRetryDelay);
        await check.RunAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromHours(1));
        await check.RunAsync(CancellationToken.None);
        await CreateSut(TestSettings.Email(port)).RunAsync(CancellationToken.None);

        // Each run waited for its deliveries, and the server stores a message before it answers: all sent is here.
        var message = Assert.Single(smtp.Messages);
        Assert.Contains("10 GB alert stage", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_HungSmtpServerDuringAStage_DoesNotDelayTheNextCheckOrTheCriticalAction()
    {
        using var silent = new SilentServer();
        using var recorder = new CommandRecorder();
        var check = CreateSut(TestSettings.Email(silent.Port, timeout: "8s"), shutdownCommand: recorder.YamlCommand);
        _usage.Bytes = 85 * GB;

        var clock = Stopwatch.StartNew();
        Assert.Equal(80 * GB, (await check.CheckAsync(CancellationToken.None)).Decision!.StageToNotify);
        _usage.Bytes = 91 * GB;
        await check.CheckAsync(CancellationToken.None);

        Assert.Equal(["-h +1"], recorder.Calls);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"the checks waited for the hung server: {clock.Elapsed}");
        await check.WhenDeliveredAsync();
    }

    [Fact]
    public async Task Run_HungSmtpServerAtTheCriticalPoint_DoesNotHoldBackTheActionAndCostsNoMoreThanTheTimeout()
    {
        using var silent = new SilentServer();
        using var recorder = new CommandRecorder();
        var check = CreateSut(TestSettings.Email(silent.Port, timeout: "4s"), shutdownCommand: recorder.YamlCommand);
        _usage.Bytes = 95 * GB;

        var clock = Stopwatch.StartNew();
        var run = check.RunAsync(CancellationToken.None);
        while (recorder.Calls.Count == 0 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }

        var actedAfter = clock.Elapsed;
        var result = await run;

        Assert.Equal(CheckOutcome.Completed, result.Outcome);
        Assert.Single(recorder.Calls);
        Assert.True(actedAfter < TimeSpan.FromSeconds(2), $"the action waited {actedAfter}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(7), $"the check took {clock.Elapsed}");
        Assert.True(result.State!.Alerts.CriticalNotified);
    }

    [Fact]
    public async Task Run_UsageUnreadableForDegradedAfterChecks_NotifiesDegradedOnceThenRecovered()
    {
        using var hook = new WebhookServer();
        var check = CreateSut(Webhook(hook), notifications: "notifications:\n  degraded_after: 3\n");
        _usage.Bytes = 1 * GB;
        await check.RunAsync(CancellationToken.None);

        _usage.Broken = true;
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            await check.RunAsync(CancellationToken.None);
        }

        Assert.Equal(["monitoring_degraded"], Events(hook));
        _usage.Broken = false;
        await check.RunAsync(CancellationToken.None);
        await check.RunAsync(CancellationToken.None);

        Assert.Equal(["monitoring_degraded", "monitoring_recovered"], Events(hook));
    }

    [Fact]
    public async Task Run_NewBillingPeriod_IsNotified()
    {
        using var hook = new WebhookServer();
        var check = CreateSut(Webhook(hook));
        _usage.Bytes = 5 * GB;
        await check.RunAsync(CancellationToken.None);

        _time.Advance(TimeSpan.FromDays(17));
        _usage.Bytes = 0;
        await check.RunAsync(CancellationToken.None);

        Assert.Equal(["new_period"], Events(hook));
        Assert.Contains("2026-12-01", hook.Requests[0].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_DailyReport_SentOnceADayAfterItsTimeWithYesterdaysUsage()
    {
        using var hook = new WebhookServer();
        var check = CreateSut(Webhook(hook), notifications: "notifications:\n  daily_report: \"08:00\"\n");
        _usage.Bytes = 1 * GB;
        await check.RunAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromHours(2));
        await check.RunAsync(CancellationToken.None);
        Assert.Equal(["daily_report"], Events(hook));

        _time.Advance(TimeSpan.FromHours(15));
        _usage.Bytes = 4 * GB;
        await check.RunAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromHours(8));
        await check.RunAsync(CancellationToken.None);
        await check.RunAsync(CancellationToken.None);

        Assert.Equal(["daily_report", "daily_report"], Events(hook));
        Assert.Contains("Yesterday: 3 GB", hook.Requests[1].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_StageWhileTheWebhookFails_IsRecordedAsNotifiedAndRetriedNotRedecided()
    {
        using var hook = new WebhookServer();
        hook.Answer(new Reply(500, "down"));
        var check = CreateSut(Webhook(hook));
        _usage.Bytes = 25 * GB;

        var first = await check.RunAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        await check.RunAsync(CancellationToken.None);

        Assert.Equal(20 * GB, first.State!.Alerts.HighestStageNotified);
        Assert.Equal(["stage_reached", "stage_reached"], Events(hook));
        Assert.Equal(hook.Requests[0].Header("Idempotency-Key"), hook.Requests[1].Header("Idempotency-Key"));
    }

    private static string Webhook(WebhookServer server) => $"""
        webhooks:
          - url: "{server.Url("/hook/token-xyz")}"
            format: json
            timeout: 5s
        """;

    private static List<string?> Events(WebhookServer server) =>
        server.Requests.Select(r => System.Text.Json.JsonDocument.Parse(r.Body).RootElement.GetProperty("event").GetString()).ToList();

    private QuotaCheck CreateSut(string channels, string? shutdownCommand = null, string notifications = "")
    {
        var yaml = TestSettings.Yaml(_stateDir.Path, shutdownCommand: shutdownCommand, extra: channels + "\n" + notifications);
        var settings = ConfigLoader.Parse(yaml, "test.yaml", _stateDir.Path);
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug));
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton(ProcessIdentity.New());
        services.AddTrafficMonitor(settings, RunMode.Live);
        services.AddSingleton<IUsageSource>(_usage);
        var provider = services.BuildServiceProvider();
        _services.Add(provider);
        return provider.GetRequiredService<QuotaCheck>();
    }
}
