using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using TrafficMonitor.Configuration;
using TrafficMonitor.Notifications;
using TrafficMonitor.Notifications.Http;
using TrafficMonitor.Notifications.Outbox;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Notifications;

public sealed class OutboxDeliveryTests : IDisposable
{
    private readonly TempDirectory _stateDir = new();
    private readonly WebhookServer _server = new();
    private readonly HttpClient _client = NotificationHttpClient.Create();
    private readonly FakeTimeProvider _time = new(Samples.Now);
    private readonly LogRecorder _logs = new();

    public void Dispose()
    {
        _server.Dispose();
        _client.Dispose();
        _stateDir.Dispose();
    }

    [Fact]
    public async Task DeliverPending_WebhookFailsThenRecovers_DeliversExactlyOnceWithTheSameKey()
    {
        _server.Answer(new Reply(500, "down"));
        var dispatcher = CreateSut(Webhook());
        dispatcher.Enqueue(Samples.Stage());

        await dispatcher.DeliverPendingAsync(CancellationToken.None);
        await dispatcher.DeliverPendingAsync(CancellationToken.None);
        Assert.Single(_server.Requests);

        _time.Advance(NotificationDispatcher.FirstRetryDelay);
        await dispatcher.DeliverPendingAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromHours(2));
        await dispatcher.DeliverPendingAsync(CancellationToken.None);

        Assert.Equal(2, _server.Requests.Count);
        Assert.Equal(_server.Requests[0].Header(WebhookChannel.IdempotencyHeader), _server.Requests[1].Header(WebhookChannel.IdempotencyHeader));
        Assert.Equal(0, dispatcher.PendingCount);
    }

    [Fact]
    public async Task DeliverPending_AfterARestart_SendsWhatTheLastProcessQueued()
    {
        _server.Answer(new Reply(503, "maintenance"));
        var first = CreateSut(Webhook());
        first.Enqueue(Samples.Stage());
        await first.DeliverPendingAsync(CancellationToken.None);

        _time.Advance(TimeSpan.FromMinutes(5));
        var restarted = CreateSut(Webhook());
        await restarted.DeliverPendingAsync(CancellationToken.None);
        await restarted.DeliverPendingAsync(CancellationToken.None);

        Assert.Equal(2, _server.Requests.Count);
        Assert.Equal(0, restarted.PendingCount);
    }

    [Fact]
    public async Task DeliverPending_429WithRetryAfter_WaitsThatLongBeforeTheNextAttempt()
    {
        _server.Answer(Reply.TooManyRequests("120"));
        var dispatcher = CreateSut(Webhook());
        dispatcher.Enqueue(Samples.Stage());
        await dispatcher.DeliverPendingAsync(CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(119));
        await dispatcher.DeliverPendingAsync(CancellationToken.None);
        Assert.Single(_server.Requests);

        _time.Advance(TimeSpan.FromSeconds(1));
        await dispatcher.DeliverPendingAsync(CancellationToken.None);
        Assert.Equal(2, _server.Requests.Count);
        Assert.Equal(0, dispatcher.PendingCount);
    }

    [Fact]
    public async Task DeliverPending_4xx_IsReportedAsAConfigurationProblemAndNotRetried()
    {
        _server.Default = new Reply(403, "forbidden");
        var dispatcher = CreateSut(Webhook());
        dispatcher.Enqueue(Samples.Stage());

        await dispatcher.DeliverPendingAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromDays(1));
        await dispatcher.DeliverPendingAsync(CancellationToken.None);

        Assert.Single(_server.Requests);
        Assert.Contains("configuration problem", _logs.Text, StringComparison.Ordinal);
        Assert.Equal(0, dispatcher.PendingCount);
    }

    [Fact]
    public async Task DeliverPending_Failing_LogsTheNextAttemptAndTheQueuedTimeInIso8601()
    {
        _server.Default = new Reply(500, "down");
        var dispatcher = CreateSut(Webhook(), expire: TimeSpan.FromMinutes(1));
        dispatcher.Enqueue(Samples.Stage());

        await dispatcher.DeliverPendingAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(2));
        await dispatcher.DeliverPendingAsync(CancellationToken.None);

        Assert.Contains("stays in the outbox: next attempt at 2026-11-15T12:00:30Z (attempt 1 failed)", _logs.Text, StringComparison.Ordinal);
        Assert.Contains("Gave up StageReached (queued 2026-11-15T12:00:00Z)", _logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeliverPending_NeverSucceeding_GivesUpAtExpiryAndLogsIt()
    {
        _server.Default = new Reply(500, "down");
        var dispatcher = CreateSut(Webhook(), expire: TimeSpan.FromHours(3));
        dispatcher.Enqueue(Samples.Stage());

        // A check every 15 minutes until just before expiry; the backoff (30s doubling, at most 30m) lets through
        // the attempts at 0, 15, 30, 45, 60, 75, 105, 135 and 165 minutes.
        for (var minutes = 0; minutes < 180; minutes += 15)
        {
            await dispatcher.DeliverPendingAsync(CancellationToken.None);
            _time.Advance(TimeSpan.FromMinutes(15));
        }

        Assert.Equal(9, _server.Requests.Count);
        Assert.Equal(1, dispatcher.PendingCount);
        Assert.DoesNotContain("Gave up", _logs.Text, StringComparison.Ordinal);

        await dispatcher.DeliverPendingAsync(CancellationToken.None);

        Assert.Equal(9, _server.Requests.Count);
        Assert.Equal(0, dispatcher.PendingCount);
        Assert.Contains("Gave up StageReached", _logs.Text, StringComparison.Ordinal);
        Assert.Contains("after 9 attempts", _logs.Text, StringComparison.Ordinal);
        _time.Advance(TimeSpan.FromDays(1));
        await dispatcher.DeliverPendingAsync(CancellationToken.None);
        Assert.Equal(9, _server.Requests.Count);
    }

    [Fact]
    public async Task Enqueue_SameEventTwice_QueuesItOnceEvenAfterDelivery()
    {
        var dispatcher = CreateSut(Webhook());

        Assert.True(dispatcher.Enqueue(Samples.Stage()));
        Assert.False(dispatcher.Enqueue(Samples.Stage()));
        await dispatcher.DeliverPendingAsync(CancellationToken.None);
        Assert.False(CreateSut(Webhook()).Enqueue(Samples.Stage()));

        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task DeliverPending_ChannelDown_TriesOnceThenSendsTheBacklogUrgentFirst()
    {
        _server.Answer(new Reply(502, "bad gateway"));
        var dispatcher = CreateSut(Webhook());
        dispatcher.Enqueue(Samples.Stage(10 * Samples.GiB));
        dispatcher.Enqueue(Samples.Stage(20 * Samples.GiB));
        dispatcher.Enqueue(Samples.Critical());

        await dispatcher.DeliverPendingAsync(CancellationToken.None);
        Assert.Single(_server.Requests);
        _time.Advance(TimeSpan.FromMinutes(1));
        await dispatcher.DeliverPendingAsync(CancellationToken.None);

        var events = _server.Requests.Select(r => System.Text.Json.JsonDocument.Parse(r.Body).RootElement.GetProperty("event").GetString()).ToList();
        Assert.Equal(["critical_reached", "critical_reached", "stage_reached", "stage_reached"], events);
    }

    [Fact]
    public async Task Enqueue_WhileAChannelIsFailing_WaitsForItsNextRetryAndGoesToHealthyChannelsAtOnce()
    {
        using var healthy = new WebhookServer();
        _server.Answer(new Reply(500, "down"));
        var dispatcher = CreateSut(Webhook(), Webhook(healthy));
        dispatcher.Enqueue(Samples.Stage());
        await dispatcher.DeliverPendingAsync(CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(10));
        dispatcher.Enqueue(Samples.Critical());
        await dispatcher.DeliverPendingAsync(CancellationToken.None);
        Assert.Single(_server.Requests);
        Assert.Equal(2, healthy.Requests.Count);

        _time.Advance(TimeSpan.FromSeconds(20));
        await dispatcher.DeliverPendingAsync(CancellationToken.None);
        Assert.Equal(3, _server.Requests.Count);
        Assert.Contains("critical_reached", _server.Requests[1].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeliverPending_OneChannelHangs_OthersAreNotDelayedAndTheHungOneCostsItsTimeout()
    {
        using var hung = new WebhookServer { Default = Reply.Hung };
        var dispatcher = CreateSut(Webhook(hung, TimeSpan.FromSeconds(2)), Webhook());
        dispatcher.Enqueue(Samples.Critical());

        var clock = Stopwatch.StartNew();
        var delivery = dispatcher.DeliverPendingAsync(CancellationToken.None);
        _server.WaitForRequests(1, TimeSpan.FromSeconds(5));
        var healthyAfter = clock.Elapsed;
        await delivery;

        Assert.Single(_server.Requests);
        Assert.True(healthyAfter < TimeSpan.FromSeconds(1.5), $"the healthy channel waited {healthyAfter}");
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(4));
        Assert.Equal(1, dispatcher.PendingCount);
    }

    [Fact]
    public async Task Enqueue_WritesTheOutboxAtomicallyInTheStateDirectory()
    {
        _server.Default = new Reply(500, "down");
        var dispatcher = CreateSut(Webhook());
        dispatcher.Enqueue(Samples.Stage());
        await dispatcher.DeliverPendingAsync(CancellationToken.None);

        var text = await File.ReadAllTextAsync(_stateDir.Combine(OutboxStore.FileName));
        Assert.Contains("\"status\": \"Pending\"", text, StringComparison.Ordinal);
        Assert.Contains("\"attempts\": 1", text, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_stateDir.Path, "*.tmp"));
    }

    [Fact]
    public async Task Counts_PerChannel_SayWhatWasSentFailedAndIsPending()
    {
        using var healthy = new WebhookServer();
        _server.Default = new Reply(500, "down");
        var failing = Webhook();
        var working = Webhook(healthy);
        var dispatcher = CreateSut(failing, working);
        dispatcher.Enqueue(Samples.Stage());
        Assert.All(dispatcher.Counts.Read(), c => Assert.Equal(1, c.Pending));

        await dispatcher.DeliverPendingAsync(CancellationToken.None);

        var counts = dispatcher.Counts.Read().ToDictionary(c => c.Channel);
        Assert.Equal((0L, 1L, 1), (counts[failing.Id].Sent, counts[failing.Id].Failed, counts[failing.Id].Pending));
        Assert.Equal((1L, 0L, 0), (counts[working.Id].Sent, counts[working.Id].Failed, counts[working.Id].Pending));
        Assert.Equal(working.Name, counts[working.Id].Name);
    }

    private WebhookChannel Webhook(WebhookServer? server = null, TimeSpan? timeout = null) => new(
        new WebhookOptions { Url = new Secret((server ?? _server).Url("/hook/token-abc")), Timeout = timeout ?? TimeSpan.FromSeconds(5) },
        _client,
        _time);

    private NotificationDispatcher CreateSut(params INotificationChannel[] channels) => CreateSut(channels, null);

    private NotificationDispatcher CreateSut(INotificationChannel channel, TimeSpan expire) => CreateSut([channel], expire);

    private NotificationDispatcher CreateSut(INotificationChannel[] channels, TimeSpan? expire) => new(
        channels,
        new OutboxStore(_stateDir.Path, persist: true, _time, _logs.For<OutboxStore>()),
        new NotificationsOptions { Expire = expire ?? NotificationsOptions.DefaultExpire },
        _time,
        _logs.For<NotificationDispatcher>());
}
