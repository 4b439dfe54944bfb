using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Cli;

/// <summary>The real program, as a new user would drive it: test-notify, check-config, and crashes mid-delivery.</summary>
public sealed class NotificationCliTests : IDisposable
{
    private const string WebhookToken = "T0KEN-in-webhook-path";
    private const string HeaderToken = "header-secret-value";
    private const string BotToken = "987654:bot-secret-token";
    private const string SmtpPassword = "smtp-secret-password";

    private readonly TempDirectory _directory = new();
    private readonly VnStatDatabase _vnstat = new();

    public NotificationCliTests()
    {
        var today = TimeProvider.System.GetLocalNow();
        _vnstat.AddInterface("eth0").SetMonth("eth0", today.Year, today.Month, 6_000_000_000, 6_000_000_000);
    }

    public void Dispose()
    {
        _vnstat.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public void TestNotify_OneChannelFailing_PrintsEachResultAndExitsNonZeroNamingIt()
    {
        using var good = new WebhookServer();
        using var bad = new WebhookServer { Default = new Reply(500, "broken") };
        using var smtp = new SmtpServer();
        var config = WriteConfig($"""
            email:
              smtp_server: 127.0.0.1
              smtp_port: {smtp.Port}
              security: none
              sender: monitor@test.invalid
              recipients: [admin@test.invalid]
            webhooks:
              - url: "{good.Url("/good")}"
                format: slack
              - url: "{bad.Url("/bad")}"
                format: discord
            """);

        var result = CliRunner.Run(["test-notify", "--config", config]);

        Assert.Equal(75, result.ExitCode);
        Assert.Contains($"ok      email (127.0.0.1:{smtp.Port})", result.Output, StringComparison.Ordinal);
        Assert.Contains("ok      webhook slack", result.Output, StringComparison.Ordinal);
        Assert.Contains($"FAILED  webhook discord (http://127.0.0.1:{bad.Port}/********)", result.Output, StringComparison.Ordinal);
        Assert.Contains("500", result.Output, StringComparison.Ordinal);
        Assert.Contains("1 of 3 channel(s) failed: webhook discord", result.Error, StringComparison.Ordinal);
        Assert.Single(good.Requests);
        Assert.Single(smtp.WaitForMessages(1));
    }

    [Fact]
    public void TestNotify_AllChannelsWork_ExitsZero()
    {
        using var hook = new WebhookServer();
        var config = WriteConfig($"""
            webhooks:
              - url: "{hook.Url("/ntfy-topic")}"
                format: ntfy
            """);

        var result = CliRunner.Run(["test-notify", "--config", config]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("test message", Assert.Single(hook.Requests).Header("Title"), StringComparison.Ordinal);
    }

    [Fact]
    public void Secrets_FromYamlFileAndEnvironment_NeverAppearInCheckConfigOrLogs()
    {
        using var hook = new WebhookServer { Default = new Reply(404, $"unknown hook /hook/{WebhookToken}") };
        using var telegram = new WebhookServer { Default = new Reply(401, $"{{\"ok\":false,\"description\":\"Unauthorized {BotToken}\"}}") };
        using var smtp = new SmtpServer(new SmtpServerOptions(User: "monitor", Password: "another-password"));
        var tokenFile = _directory.Write("bot-token", BotToken + "\n");
        var config = WriteConfig($"""
            email:
              smtp_server: 127.0.0.1
              smtp_port: {smtp.Port}
              security: none
              username: monitor
              sender: monitor@test.invalid
              recipients: [admin@test.invalid]
            webhooks:
              - url: "{hook.Url("/hook/" + WebhookToken)}"
                headers:
                  Authorization: "Bearer {HeaderToken}"
            telegram:
              bot_token_file: "{tokenFile}"
              chat_id: "42"
              api_url: "{telegram.Url("/")}"
            """);
        var environment = new Dictionary<string, string> { ["TRAFFIC_MONITOR_SMTP_PASSWORD"] = SmtpPassword };

        var checkConfig = CliRunner.Run(["check-config", "--config", config], environment: environment);
        var once = CliRunner.Run(["--once", "--config", config, "--log-level", "trace"], environment: environment);
        var testNotify = CliRunner.Run(["test-notify", "--config", config, "--log-level", "trace"], environment: environment);
        var status = CliRunner.Run(["status", "--json", "--config", config, "--log-level", "trace"], environment: environment);

        Assert.Equal(0, checkConfig.ExitCode);
        Assert.Contains("password: ********", checkConfig.Output, StringComparison.Ordinal);
        Assert.Contains("bot_token: ********", checkConfig.Output, StringComparison.Ordinal);
        Assert.Contains($"url: http://127.0.0.1:{hook.Port}/********", checkConfig.Output, StringComparison.Ordinal);
        Assert.Equal(75, testNotify.ExitCode);
        Assert.Equal(3, testNotify.Output.Split("FAILED").Length - 1);
        Assert.NotEmpty(hook.Requests);
        Assert.NotEmpty(telegram.Requests);
        Assert.Contains("Could not send StageReached", once.Error, StringComparison.Ordinal);
        var everything = string.Join("\n", checkConfig.Output, checkConfig.Error, once.Output, once.Error, testNotify.Output, testNotify.Error, status.Output, status.Error);
        var outbox = File.ReadAllText(_directory.Combine("state", "outbox.json"));
        foreach (var secret in new[] { WebhookToken, HeaderToken, BotToken, "bot-secret-token", SmtpPassword })
        {
            Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, outbox, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Run_KilledAfterTheWebhookGotTheStageButBeforeRecordingIt_ResendsItOnceWithTheSameKey()
    {
        using var hook = new WebhookServer();
        var config = WriteConfig($"""
            webhooks:
              - url: "{hook.Url("/hook")}"
            """);
        using (var first = CliRunner.Start(["--once", "--config", config]))
        {
            hook.OnRequest = _ => first.Kill(entireProcessTree: true);
            Assert.True(first.WaitForExit(60_000));
            hook.OnRequest = null;
        }

        var second = CliRunner.Run(["--once", "--config", config]);
        var third = CliRunner.Run(["--once", "--config", config]);

        Assert.Equal(0, second.ExitCode);
        Assert.Equal(0, third.ExitCode);
        Assert.Equal(2, hook.Requests.Count);
        Assert.Equal(hook.Requests[0].Header("Idempotency-Key"), hook.Requests[1].Header("Idempotency-Key"));
        Assert.Equal(hook.Requests[0].Body, hook.Requests[1].Body);
    }

    [Fact]
    public void Run_KilledAfterTheSmtpServerStoredTheStage_ResendsItOnceWithTheSameMessageId()
    {
        var port = SmtpServer.FreePort();
        var config = WriteConfig(TestSettings.Email(port, timeout: null));
        string stored;
        using (var stalling = new SmtpServer(new SmtpServerOptions(StallAfterData: true), port))
        using (var first = CliRunner.Start(["--once", "--config", config]))
        {
            stored = Assert.Single(stalling.WaitForMessages(1, TimeSpan.FromSeconds(30)));
            first.Kill(entireProcessTree: true);
            first.WaitForExit(10_000);
        }

        using var smtp = new SmtpServer(port: port);
        var second = CliRunner.Run(["--once", "--config", config]);
        var third = CliRunner.Run(["--once", "--config", config]);

        Assert.Equal(0, second.ExitCode);
        Assert.Equal(0, third.ExitCode);
        // Both runs have exited and the server stores a message before it answers 250: all they sent is on disk already.
        var resent = Assert.Single(smtp.Messages);
        Assert.Equal(MessageId(stored), MessageId(resent));
    }

    [Fact]
    public void Status_AfterAFailedDelivery_ShowsWhatIsWaitingWithoutTheToken()
    {
        using var hook = new WebhookServer { Default = new Reply(503, "maintenance") };
        var config = WriteConfig($"""
            webhooks:
              - url: "{hook.Url("/hook/" + WebhookToken)}"
            """);
        CliRunner.Run(["--once", "--config", config]);

        var text = CliRunner.Run(["status", "--config", config]);
        var json = CliRunner.Run(["status", "--json", "--config", config]);

        Assert.Contains("Notifications:   1 waiting for delivery since", text.Output, StringComparison.Ordinal);
        Assert.Contains("answered 503", text.Output, StringComparison.Ordinal);
        using var document = System.Text.Json.JsonDocument.Parse(json.Output);
        Assert.Equal(1, document.RootElement.GetProperty("notifications").GetProperty("pending").GetInt32());
        Assert.DoesNotContain(WebhookToken, text.Output + json.Output, StringComparison.Ordinal);
    }

    private static string MessageId(string message) =>
        message.Split("\r\n").Single(line => line.StartsWith("Message-Id:", StringComparison.OrdinalIgnoreCase));

    private string WriteConfig(string channels) =>
        _directory.Write("settings.yaml", TestSettings.Yaml(_directory.Combine("state"), _vnstat.ConfigFile, extra: channels));
}
