using System.Net;
using TrafficMonitor.Configuration;

namespace TrafficMonitor.Tests.Metrics;

public sealed class MetricsSettingsTests
{
    private static TrafficMonitorSettings Parse(string metrics) => ConfigLoader.Parse(
        "thresholds:\n  total_limit: 100\n  interval: 10\n  critical_percentage: 90\n" + metrics, "/test/settings.yaml", "/tmp/tm-state");

    [Fact]
    public void Parse_NoMetricsSection_IsOff()
    {
        Assert.False(Parse(string.Empty).Metrics.Enabled);
    }

    [Fact]
    public void Parse_EnabledAlone_ListensOnLoopback9721WithoutWarning()
    {
        var settings = Parse("metrics:\n  enabled: true\n");

        Assert.True(settings.Metrics.Enabled);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9721), settings.Metrics.Listen);
        Assert.DoesNotContain(SettingsAdvisor.Warnings(settings), w => w.StartsWith("metrics", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_ListenAlone_EnablesIt()
    {
        var settings = Parse("metrics:\n  listen: \"[::1]:9800\"\n");

        Assert.True(settings.Metrics.Enabled);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 9800), settings.Metrics.Listen);
    }

    [Fact]
    public void Parse_EnabledFalse_WinsOverAListen()
    {
        Assert.False(Parse("metrics:\n  enabled: false\n  listen: \"127.0.0.1:9721\"\n").Metrics.Enabled);
    }

    [Fact]
    public void Parse_AnAddressBeyondLoopback_IsAllowedWithAWarning()
    {
        var settings = Parse("metrics:\n  listen: \"0.0.0.0:9721\"\n");

        Assert.Equal(new IPEndPoint(IPAddress.Any, 9721), settings.Metrics.Listen);
        var warning = Assert.Single(SettingsAdvisor.Warnings(settings), w => w.StartsWith("metrics.listen", StringComparison.Ordinal));
        Assert.Contains("no authentication", warning, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("9721")]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("example.com:9721")]
    [InlineData("127.0.0.1:99999")]
    public void Parse_ListenWithoutAnAddressAndPort_IsAProblemAtItsKeyPath(string listen)
    {
        var error = Assert.Throws<ConfigException>(() => Parse($"metrics:\n  listen: \"{listen}\"\n"));

        var problem = Assert.Single(error.Problems);
        Assert.Equal("metrics.listen", problem.Path);
        Assert.Contains("127.0.0.1:9721", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownKey_IsAProblem()
    {
        var error = Assert.Throws<ConfigException>(() => Parse("metrics:\n  port: 9721\n"));
        Assert.Contains(error.Problems, p => p.Path == "metrics.port");
    }

    [Fact]
    public void Parse_Localhost_IsLoopback()
    {
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9000), Parse("metrics:\n  listen: localhost:9000\n").Metrics.Listen);
    }
}
