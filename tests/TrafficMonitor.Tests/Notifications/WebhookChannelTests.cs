using System.Text.Json;
using TrafficMonitor.Configuration;
using TrafficMonitor.Notifications;
using TrafficMonitor.Notifications.Http;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Notifications;

public sealed class WebhookChannelTests : IDisposable
{
    private readonly WebhookServer _server = new();
    private readonly HttpClient _client = NotificationHttpClient.Create();

    public void Dispose()
    {
        _server.Dispose();
        _client.Dispose();
    }

    [Fact]
    public async Task SendAsync_JsonFormat_PostsTheDocumentedPayloadWithExactIntegers()
    {
        await Channel(WebhookFormat.Json).SendAsync(Samples.Stage(), CancellationToken.None);

        var request = Assert.Single(_server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/hook/secret-token", request.Path);
        Assert.StartsWith("application/json", request.Header("Content-Type"), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(request.Body);
        var root = json.RootElement;
        Assert.Equal("stage_reached", root.GetProperty("event").GetString());
        Assert.Equal("web-1", root.GetProperty("host").GetString());
        Assert.Equal(40 * Samples.GiB, root.GetProperty("stage_bytes").GetInt64());
        Assert.Equal(42 * Samples.GiB, root.GetProperty("used_bytes").GetInt64());
        Assert.Equal(100 * Samples.GiB, root.GetProperty("limit_bytes").GetInt64());
        Assert.Equal(90 * Samples.GiB, root.GetProperty("critical_bytes").GetInt64());
        Assert.Equal(42m, root.GetProperty("percent").GetDecimal());
        Assert.Equal("2026-11-01", root.GetProperty("period_start").GetString());
        Assert.Equal("2026-11-30", root.GetProperty("period_end").GetString());
        Assert.Equal("2026-11-15T12:00:00Z", root.GetProperty("time").GetString());
        Assert.False(root.GetProperty("dry_run").GetBoolean());
        Assert.Contains("40 GiB alert stage", root.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_Discord_PostsContentWithMentionsDisabled()
    {
        await Channel(WebhookFormat.Discord).SendAsync(Samples.Critical(), CancellationToken.None);

        using var json = JsonDocument.Parse(Assert.Single(_server.Requests).Body);
        var content = json.RootElement.GetProperty("content").GetString()!;
        Assert.StartsWith("**[traffic-monitor] CRITICAL web-1", content, StringComparison.Ordinal);
        Assert.True(content.Length <= WebhookPayloads.DiscordContentLimit);
        Assert.Equal(0, json.RootElement.GetProperty("allowed_mentions").GetProperty("parse").GetArrayLength());
    }

    [Fact]
    public async Task SendAsync_Slack_PostsText()
    {
        await Channel(WebhookFormat.Slack).SendAsync(Samples.Stage(), CancellationToken.None);

        using var json = JsonDocument.Parse(Assert.Single(_server.Requests).Body);
        Assert.StartsWith("*[traffic-monitor] web-1: 42 GiB used", json.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_Ntfy_PostsPlainTextWithTitleAndPriorityHeaders()
    {
        await Channel(WebhookFormat.Ntfy).SendAsync(Samples.Critical(), CancellationToken.None);

        var request = Assert.Single(_server.Requests);
        Assert.StartsWith("text/plain", request.Header("Content-Type"), StringComparison.Ordinal);
        Assert.StartsWith("[traffic-monitor] CRITICAL web-1", request.Header("Title"), StringComparison.Ordinal);
        Assert.Equal("5", request.Header("Priority"));
        Assert.Contains("reached the critical point", request.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_SameNotificationTwice_SendsTheSameIdempotencyKeyAndTheConfiguredHeaders()
    {
        var channel = Channel(WebhookFormat.Json, headers: new() { ["Authorization"] = "Bearer header-secret" });
        var notification = Samples.Stage();

        await channel.SendAsync(notification, CancellationToken.None);
        await channel.SendAsync(notification, CancellationToken.None);
        await channel.SendAsync(Samples.Stage(50 * Samples.GiB), CancellationToken.None);

        var keys = _server.Requests.Select(r => r.Header(WebhookChannel.IdempotencyHeader)).ToList();
        Assert.NotNull(keys[0]);
        Assert.Equal(keys[0], keys[1]);
        Assert.NotEqual(keys[0], keys[2]);
        Assert.Equal("Bearer header-secret", _server.Requests[0].Header("Authorization"));
    }

    [Fact]
    public async Task SendAsync_429WithRetryAfter_AsksToRetryAfterThatLong()
    {
        _server.Answer(Reply.TooManyRequests("120"));

        var error = await Assert.ThrowsAsync<DeliveryException>(() => Channel(WebhookFormat.Json).SendAsync(Samples.Stage(), CancellationToken.None));

        Assert.False(error.Rejected);
        Assert.Equal(TimeSpan.FromSeconds(120), error.RetryAfter);
    }

    [Fact]
    public async Task SendAsync_429WithRetryAfterAsADate_WaitsUntilThatDate()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Samples.Now);
        _server.Answer(Reply.TooManyRequests(Samples.Now.AddSeconds(90).ToString("r", System.Globalization.CultureInfo.InvariantCulture)));
        var channel = new WebhookChannel(new WebhookOptions { Url = new Secret(_server.Url("/hook")) }, _client, time);

        var error = await Assert.ThrowsAsync<DeliveryException>(() => channel.SendAsync(Samples.Stage(), CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(90), error.RetryAfter);
    }

    [Fact]
    public async Task SendAsync_404_IsRejectedAsAConfigurationProblemWithoutTheToken()
    {
        _server.Answer(new Reply(404, "no such hook: /hook/secret-token"));

        var error = await Assert.ThrowsAsync<DeliveryException>(() => Channel(WebhookFormat.Json).SendAsync(Samples.Stage(), CancellationToken.None));

        Assert.True(error.Rejected);
        Assert.Contains("404", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_307ToAnotherOrigin_IsNotFollowedAndIsRetriedNamingOnlyThatOrigin()
    {
        using var other = new WebhookServer();
        _server.Answer(Reply.Redirect(307, other.Url("/elsewhere/secret-token")));
        var channel = Channel(WebhookFormat.Json, headers: new() { ["X-Api-Key"] = "header-secret" });

        var error = await Assert.ThrowsAsync<DeliveryException>(() => channel.SendAsync(Samples.Stage(), CancellationToken.None));

        Assert.Empty(other.Requests);
        Assert.False(error.Rejected);
        Assert.Equal(
            $"answered 307 Temporary Redirect to another origin, http://127.0.0.1:{other.Port}/********: redirects are not followed, so the channel's " +
            "headers and token never go anywhere but the configured address; if the new address is right, put it in the settings",
            error.Message);
    }

    [Fact]
    public async Task SendAsync_308OnTheSameServer_IsNotFollowedAndIsRejectedAsAConfigurationProblem()
    {
        _server.Answer(Reply.Redirect(308, "/hook/secret-token/"));

        var error = await Assert.ThrowsAsync<DeliveryException>(() => Channel(WebhookFormat.Json).SendAsync(Samples.Stage(), CancellationToken.None));

        Assert.Single(_server.Requests);
        Assert.True(error.Rejected);
        Assert.Contains("to another path on the same server", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_429_SaysHowLongItWaitsAsADuration()
    {
        _server.Answer(Reply.TooManyRequests("90"));

        var error = await Assert.ThrowsAsync<DeliveryException>(() => Channel(WebhookFormat.Json).SendAsync(Samples.Stage(), CancellationToken.None));

        Assert.Equal("answered 429 Too Many Requests (rate limited); retrying after 1m30s", error.Message);
    }

    [Fact]
    public async Task SendAsync_500_IsRetried()
    {
        _server.Answer(new Reply(500, "oops"));

        var error = await Assert.ThrowsAsync<DeliveryException>(() => Channel(WebhookFormat.Json).SendAsync(Samples.Stage(), CancellationToken.None));

        Assert.False(error.Rejected);
        Assert.Null(error.RetryAfter);
    }

    [Fact]
    public async Task SendAsync_NothingListening_IsRetriedAndNamesOnlySchemeAndHost()
    {
        var url = $"http://127.0.0.1:{SmtpServer.FreePort()}/hook/secret-token";
        var channel = new WebhookChannel(new WebhookOptions { Url = new Secret(url) }, _client, TimeProvider.System);

        var error = await Assert.ThrowsAsync<DeliveryException>(() => channel.SendAsync(Samples.Stage(), CancellationToken.None));

        Assert.False(error.Rejected);
        Assert.DoesNotContain("secret-token", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token", channel.Name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_Telegram_PostsToTheBotPathAndNeverShowsTheToken()
    {
        var options = new TelegramOptions { BotToken = new Secret("123456:ABC-token"), ChatId = "42", ApiUrl = new Uri(_server.Url("/")) };
        var channel = new TelegramChannel(options, _client, TimeProvider.System);

        await channel.SendAsync(Samples.Stage(), CancellationToken.None);
        _server.Answer(new Reply(401, "{\"ok\":false,\"error_code\":401,\"description\":\"Unauthorized\"}"));
        var error = await Assert.ThrowsAsync<DeliveryException>(() => channel.SendAsync(Samples.Stage(), CancellationToken.None));

        var request = _server.Requests[0];
        Assert.Equal("/bot123456:ABC-token/sendMessage", request.Path);
        using var json = JsonDocument.Parse(request.Body);
        Assert.Equal("42", json.RootElement.GetProperty("chat_id").GetString());
        Assert.StartsWith("[traffic-monitor] web-1", json.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.True(error.Rejected);
        Assert.DoesNotContain("ABC-token", error.Message + channel.Name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_Telegram429_UsesRetryAfterFromTheBody()
    {
        var options = new TelegramOptions { BotToken = new Secret("123456:ABC-token"), ChatId = "42", ApiUrl = new Uri(_server.Url("/")) };
        _server.Answer(new Reply(429, "{\"ok\":false,\"error_code\":429,\"parameters\":{\"retry_after\":7}}"));

        var error = await Assert.ThrowsAsync<DeliveryException>(() => new TelegramChannel(options, _client, TimeProvider.System).SendAsync(Samples.Stage(), CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
    }

    private WebhookChannel Channel(WebhookFormat format, Dictionary<string, string>? headers = null) => new(
        new WebhookOptions
        {
            Url = new Secret(_server.Url("/hook/secret-token")),
            Format = format,
            Headers = (headers ?? []).ToDictionary(h => h.Key, h => new Secret(h.Value)),
        },
        _client,
        TimeProvider.System);
}
