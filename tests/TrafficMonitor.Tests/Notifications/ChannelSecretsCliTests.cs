using System.Text;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Notifications;

/// <summary>
/// Where a channel's secrets may go, tried with the real program and real local servers: a webhook's headers and
/// Telegram's token never follow a redirect to another origin, and credentials in a URL are used, never shown.
/// </summary>
public sealed class ChannelSecretsCliTests : IDisposable
{
    private const string ApiKey = "api-key-secret-value";
    private const string BotToken = "987654:bot-secret-token";

    private readonly TempDirectory _directory = new();
    private readonly VnStatDatabase _vnstat = new();

    public ChannelSecretsCliTests()
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
    public void TestNotify_WebhookRedirectsToAnotherOrigin_TheOtherServerNeverSeesTheHeaders()
    {
        using var other = new WebhookServer();
        using var hook = new WebhookServer { Default = Reply.Redirect(307, other.Url("/collect")) };
        var config = WriteConfig($"""
            webhooks:
              - url: "{hook.Url("/hook/path-token")}"
                headers:
                  X-Api-Key: "{ApiKey}"
            """);

        var result = CliRunner.Run(["test-notify", "--config", config]);

        Assert.Equal(ApiKey, Assert.Single(hook.Requests).Header("X-Api-Key"));
        Assert.Empty(other.WaitForRequests(1, TimeSpan.FromMilliseconds(300)));
        Assert.Equal(75, result.ExitCode);
        Assert.Contains("FAILED", result.Output, StringComparison.Ordinal);
        Assert.Contains($"307", result.Output, StringComparison.Ordinal);
        Assert.Contains($"http://127.0.0.1:{other.Port}", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("/collect", result.Output, StringComparison.Ordinal);
        AssertNoSecret(result, ApiKey, "path-token");
    }

    [Fact]
    public void TestNotify_TelegramRedirectsToAnotherOrigin_TheOtherServerNeverSeesTheToken()
    {
        using var other = new WebhookServer();
        using var api = new WebhookServer { Default = Reply.Redirect(308, other.Url($"/bot{BotToken}/sendMessage")) };
        var config = WriteConfig($"""
            telegram:
              bot_token: "{BotToken}"
              chat_id: "42"
              api_url: "{api.Url("/")}"
            """);

        var result = CliRunner.Run(["test-notify", "--config", config]);

        Assert.Single(api.Requests);
        Assert.Empty(other.WaitForRequests(1, TimeSpan.FromMilliseconds(300)));
        Assert.Equal(75, result.ExitCode);
        Assert.Contains($"http://127.0.0.1:{other.Port}", result.Output, StringComparison.Ordinal);
        AssertNoSecret(result, BotToken, "bot-secret-token");
    }

    [Fact]
    public void TestNotify_WebhookUrlWithCredentials_SendsThemAsBasicAuthAndNeverShowsThem()
    {
        using var hook = new WebhookServer();
        var config = WriteConfig($"""
            webhooks:
              - url: "http://alert-user:p%40ss-word@127.0.0.1:{hook.Port}/topic"
                format: ntfy
            """);

        var checkConfig = CliRunner.Run(["check-config", "--config", config]);
        var result = CliRunner.Run(["test-notify", "--config", config, "--log-level", "trace"]);

        Assert.Equal(0, result.ExitCode);
        var request = Assert.Single(hook.Requests);
        Assert.Equal("/topic", request.Path);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alert-user:p@ss-word")), request.Header("Authorization"));
        Assert.Equal(0, checkConfig.ExitCode);
        Assert.Contains($"url: http://********@127.0.0.1:{hook.Port}/********", checkConfig.Output, StringComparison.Ordinal);
        AssertNoSecret(checkConfig, "alert-user", "p%40ss-word", "p@ss-word");
        AssertNoSecret(result, "alert-user", "p%40ss-word", "p@ss-word");
    }

    [Fact]
    public void TestNotify_TelegramApiUrlWithCredentials_SendsThemAsBasicAuthAndNeverShowsThem()
    {
        using var api = new WebhookServer();
        var config = WriteConfig($"""
            telegram:
              bot_token: "{BotToken}"
              chat_id: "42"
              api_url: "http://proxy-user:proxy-pass@127.0.0.1:{api.Port}/"
            """);

        var checkConfig = CliRunner.Run(["check-config", "--config", config]);
        var result = CliRunner.Run(["test-notify", "--config", config, "--log-level", "trace"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("proxy-user:proxy-pass")), Assert.Single(api.Requests).Header("Authorization"));
        Assert.Equal(0, checkConfig.ExitCode);
        Assert.Contains($"api_url: http://********@127.0.0.1:{api.Port}/", checkConfig.Output, StringComparison.Ordinal);
        AssertNoSecret(checkConfig, "proxy-user", "proxy-pass", BotToken);
        AssertNoSecret(result, "proxy-user", "proxy-pass", BotToken);
    }

    [Fact]
    public void CheckConfig_UrlCredentialsAndAnAuthorizationHeader_IsRefusedNamingTheKey()
    {
        var config = WriteConfig("""
            webhooks:
              - url: "https://user:secret-pass@hooks.test.invalid/x"
                headers:
                  Authorization: "Bearer other-secret"
            """);

        var result = CliRunner.Run(["check-config", "--config", config]);

        Assert.Equal(78, result.ExitCode);
        Assert.Contains("webhooks[0].headers", result.Error, StringComparison.Ordinal);
        AssertNoSecret(result, "secret-pass", "other-secret");
    }

    private static void AssertNoSecret(CliResult result, params string[] secrets)
    {
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, result.Output + result.Error, StringComparison.Ordinal);
        }
    }

    private string WriteConfig(string channels) =>
        _directory.Write("settings.yaml", TestSettings.Yaml(_directory.Combine("state"), _vnstat.ConfigFile, extra: channels));
}
