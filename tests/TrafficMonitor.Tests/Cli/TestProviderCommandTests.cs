using TrafficMonitor.Configuration;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Cli;

/// <summary>The real program against local stand-ins of the providers' APIs, as a new user would try it.</summary>
public sealed class TestProviderCommandTests : IDisposable
{
    private const string Token = "SECRET-api-key-0123456789";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Config(ProviderApiServer server, string kind, string thresholds = "\"20 TiB\"", string monitor = "provider: system") =>
        _dir.Write("settings.yaml", TestSettings.Yaml(_dir.Combine("state"), totalLimit: thresholds, interval: "\"1 TiB\"", monitor: monitor, extra: $"""
            provider_api:
              kind: {kind}
              {(kind == "kiwivm" ? "veid" : "server_id")}: 4242
              api_url: {server.Url}
            """));

    private static Dictionary<string, string> Environment => new() { [ProviderApiOptions.TokenEnvironmentVariable] = Token };

    [Fact]
    public void TestProvider_Hetzner_PrintsWhatItReadAndExits0()
    {
        using var server = ProviderApiServer.Hetzner();
        server.Outgoing = 123L << 30;
        server.Ingoing = 7L << 30;

        var result = CliRunner.Run(["--config", Config(server, "hetzner", thresholds: "provider"), "test-provider"], environment: Environment);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("provider:  hetzner (outgoing traffic only)", result.Output, StringComparison.Ordinal);
        Assert.Contains($"GET {server.Url}/v1/servers/4242", result.Output, StringComparison.Ordinal);
        Assert.Contains("billed:    123 GiB", result.Output, StringComparison.Ordinal);
        Assert.Contains("limit:     20 TiB", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, result.Output + result.Error, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public void TestProvider_KiwiVm_MasksTheKeyInTheAddressItShows()
    {
        using var server = ProviderApiServer.KiwiVm();
        server.Outgoing = 10L << 30;
        server.Multiplier = 1.5m;

        var result = CliRunner.Run(["--config", Config(server, "kiwivm", monitor: "provider: system\nreset_day: provider"), "test-provider", "--log-level", "trace"], environment: Environment);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("api_key=********", result.Output, StringComparison.Ordinal);
        Assert.Contains("billed:    15 GiB", result.Output, StringComparison.Ordinal);
        Assert.Contains("(monitor.reset_day: provider)", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, result.Output + result.Error, StringComparison.Ordinal);
        Assert.Contains(Token, Assert.Single(server.Requests).Query, StringComparison.Ordinal);
    }

    [Fact]
    public void TestProvider_TokenRefused_Exits69NamingTheKey()
    {
        using var server = ProviderApiServer.Hetzner();
        server.Answer(new Reply(401, """{"error": {"code": "unauthorized", "message": "unable to authenticate"}}"""));

        var result = CliRunner.Run(["--config", Config(server, "hetzner"), "test-provider"], environment: Environment);

        Assert.Equal(69, result.ExitCode);
        Assert.Contains("refused the token (401): check provider_api.token", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void TestProvider_NoSection_Exits78()
    {
        var config = _dir.Write("settings.yaml", TestSettings.Yaml(_dir.Combine("state")));

        var result = CliRunner.Run(["--config", config, "test-provider"]);

        Assert.Equal(78, result.ExitCode);
        Assert.Contains("no provider_api section", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckConfig_ResetDayProviderWithHetzner_Exits78NamingTheKey()
    {
        using var server = ProviderApiServer.Hetzner();

        var result = CliRunner.Run(["--config", Config(server, "hetzner", monitor: "reset_day: provider"), "check-config"], environment: Environment);

        Assert.Equal(78, result.ExitCode);
        Assert.Contains("monitor.reset_day", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void StatusJson_ShowsTheProvidersCountAndTheOwn()
    {
        using var server = ProviderApiServer.Hetzner();
        server.Outgoing = 50L << 30;

        var result = CliRunner.Run(["--config", Config(server, "hetzner"), "status", "--json", "--log-level", "trace"], environment: Environment);

        Assert.Equal(0, result.ExitCode);
        using var json = System.Text.Json.JsonDocument.Parse(result.Output);
        var api = json.RootElement.GetProperty("provider_api");
        Assert.Equal(50L << 30, api.GetProperty("provider_bytes").GetInt64());
        Assert.True(api.GetProperty("counted_bytes").GetInt64() >= 50L << 30);
        Assert.Equal(api.GetProperty("counted_bytes").GetInt64() - api.GetProperty("own_bytes").GetInt64(), api.GetProperty("difference_bytes").GetInt64());
        Assert.DoesNotContain(Token, result.Output + result.Error, StringComparison.Ordinal);
    }
}
