using TrafficMonitor.Configuration;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Configuration;

public sealed class ProviderApiSettingsTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Parse_NoProviderApi_IsNull()
    {
        Assert.Null(Parse(string.Empty).ProviderApi);
    }

    [Fact]
    public void Parse_Hetzner_FillsTheDefaults()
    {
        var api = Parse("provider_api:\n  kind: Hetzner\n  token: abc\n  server_id: 42\n").ProviderApi!;

        Assert.Equal(("hetzner", "abc", "42"), (api.Kind, api.Token.Reveal(), api.ServerId));
        Assert.Equal(new Uri("https://api.hetzner.cloud"), api.ApiUrl);
        Assert.Equal((TimeSpan.FromMinutes(15), 5m), (api.Poll, api.TolerancePercent));
    }

    [Fact]
    public void Parse_KiwiVm_TakesTheTokenFromTheEnvironmentOrAFile()
    {
        var file = _directory.Write("key", "from-file\n");

        var fromEnvironment = Parse("provider_api:\n  kind: kiwivm\n  veid: 123\n  poll: 30m\n  tolerance: 2.5\n",
            new() { [ProviderApiOptions.TokenEnvironmentVariable] = "from-env" }).ProviderApi!;
        var fromFile = Parse($"provider_api:\n  kind: kiwivm\n  veid: 123\n  token_file: {file}\n").ProviderApi!;

        Assert.Equal(("from-env", "123", TimeSpan.FromMinutes(30), 2.5m), (fromEnvironment.Token.Reveal(), fromEnvironment.ServerId, fromEnvironment.Poll, fromEnvironment.TolerancePercent));
        Assert.Equal(new Uri("https://api.64clouds.com"), fromEnvironment.ApiUrl);
        Assert.Equal("from-file", fromFile.Token.Reveal());
    }

    [Fact]
    public void Parse_EveryMistake_IsNamedByItsKey()
    {
        var problems = Problems("""
            provider_api:
              kind: linode
              server_id: abc
              api_url: ftp://example.com
              poll: 10s
              tolerance: 0
              timout: 5s
            """);

        Assert.Contains(problems, p => p.StartsWith("provider_api.kind", StringComparison.Ordinal) && p.Contains("hetzner or kiwivm", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("provider_api.token", StringComparison.Ordinal) && p.Contains(ProviderApiOptions.TokenEnvironmentVariable, StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("provider_api.server_id", StringComparison.Ordinal) && p.Contains("not a number", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("provider_api.api_url", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("provider_api.poll", StringComparison.Ordinal) && p.Contains("at least 1m", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("provider_api.tolerance", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("provider_api.timout", StringComparison.Ordinal) && p.Contains("timeout", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_KiwiVmWithServerId_SaysToUseVeid()
    {
        var problems = Problems("provider_api:\n  kind: kiwivm\n  token: k\n  server_id: 1\n");

        Assert.Contains(problems, p => p.StartsWith("provider_api.server_id", StringComparison.Ordinal) && p.Contains("provider_api.veid", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_TotalLimitProvider_NeedsAProviderApi()
    {
        Assert.Contains(Problems(string.Empty, totalLimit: "provider"), p => p.StartsWith("thresholds.total_limit", StringComparison.Ordinal) && p.Contains("no provider_api section", StringComparison.Ordinal));

        var settings = Parse("provider_api:\n  kind: hetzner\n  token: t\n  server_id: 1\n", totalLimit: "provider");
        Assert.True(settings.Thresholds.LimitFromProvider);
        Assert.Contains("total_limit: provider", SettingsPrinter.Format(settings), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ResetDayProviderWithHetzner_IsRefusedNamingTheKey()
    {
        var problems = Problems("provider_api:\n  kind: hetzner\n  token: t\n  server_id: 1\n", monitor: "reset_day: provider");

        Assert.Contains(problems, p => p.StartsWith("monitor.reset_day", StringComparison.Ordinal) && p.Contains("does not say when the period resets", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_ResetDayProviderWithKiwiVm_IsAdopted()
    {
        var settings = Parse("provider_api:\n  kind: kiwivm\n  token: t\n  veid: 1\n", monitor: "reset_day: provider");

        Assert.True(settings.Monitor.ResetDayFromProvider);
    }

    [Fact]
    public void Format_Token_IsMasked()
    {
        var settings = Parse("provider_api:\n  kind: kiwivm\n  token: very-secret-key\n  veid: 1\n  api_url: http://user:pw@127.0.0.1:9/\n");

        var text = SettingsPrinter.Format(settings);

        Assert.Contains("token: ********", text, StringComparison.Ordinal);
        Assert.DoesNotContain("very-secret-key", text, StringComparison.Ordinal);
        Assert.DoesNotContain("pw", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Warnings_HetznerCountingTotal_SaysOnlySentBytesCount()
    {
        var settings = Parse("provider_api:\n  kind: hetzner\n  token: t\n  server_id: 1\n");

        Assert.Contains(SettingsAdvisor.Warnings(settings), w => w.Contains("outgoing traffic only", StringComparison.Ordinal));
    }

    private TrafficMonitorSettings Parse(string extra, Dictionary<string, string>? environment = null, string totalLimit = "\"100 GB\"", string monitor = "") =>
        ConfigLoader.Parse(TestSettings.Yaml(_directory.Combine("state"), extra: extra, totalLimit: totalLimit, monitor: monitor), "test.yaml", _directory.Path,
            name => environment?.GetValueOrDefault(name));

    private List<string> Problems(string extra, string totalLimit = "\"100 GB\"", string monitor = "") =>
        Assert.Throws<ConfigException>(() => Parse(extra, totalLimit: totalLimit, monitor: monitor)).Problems.Select(p => p.ToString()).ToList();
}
