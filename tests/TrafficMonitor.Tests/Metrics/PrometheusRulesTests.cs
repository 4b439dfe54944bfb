using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using TrafficMonitor.Metrics;
using static TrafficMonitor.Tests.Metrics.MetricsSamples;

namespace TrafficMonitor.Tests.Metrics;

/// <summary>deploy/prometheus: the shipped alert rules pass their promtool unit tests; rules and dashboard use only metrics the endpoint writes.</summary>
public sealed partial class PrometheusRulesTests
{
    private static readonly string Deploy = Path.Combine(Promtool.RepositoryRoot, "deploy", "prometheus");

    /// <summary>Every family the endpoint can write, with every optional one present.</summary>
    private static readonly HashSet<string> Written = [.. MetricName().Matches(PrometheusText.Write(View(Snapshot(shutdownRanAt: CheckedAt)))).Select(m => m.Value)];

    [Fact]
    public void Rules_PassPromtoolCheck()
    {
        var (exitCode, output, error) = Promtool.Run(null, "check", "rules", Path.Combine(Deploy, "traffic-monitor.rules.yml"));
        Assert.True(exitCode == 0, output + error);
    }

    [Fact]
    public void Rules_PassTheirPromtoolUnitTests()
    {
        var (exitCode, output, error) = Promtool.Run(null, "test", "rules", Path.Combine(Deploy, "traffic-monitor.rules.test.yml"));
        Assert.True(exitCode == 0, output + error);
    }

    [Fact]
    public void Rules_UseOnlyMetricsTheEndpointWrites()
    {
        var used = MetricName().Matches(File.ReadAllText(Path.Combine(Deploy, "traffic-monitor.rules.yml"))).Select(m => m.Value).ToHashSet();
        Assert.NotEmpty(used);
        Assert.Empty(used.Except(Written));
    }

    [Fact]
    public void Dashboard_EveryQueryIsValidPromQlOverWrittenMetrics()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Deploy, "grafana-dashboard.json")));
        var expressions = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .Select(t => t.GetProperty("expr").GetString()!.Replace("$instance", ".*", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(expressions);
        Assert.Empty(expressions.SelectMany(e => MetricName().Matches(e).Select(m => m.Value)).Except(Written));

        // promtool has no PromQL-only check: each query becomes a recording rule, which `check rules` parses.
        var rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (var i = 0; i < expressions.Count; i++)
        {
            rules.Append("      - record: dashboard:query").Append(i).Append("\n        expr: ").Append(JsonSerializer.Serialize(expressions[i])).Append('\n');
        }

        var file = Path.Combine(Path.GetTempPath(), $"tm-dashboard-{Guid.NewGuid():N}.rules.yml");
        File.WriteAllText(file, rules.ToString());
        try
        {
            var (exitCode, output, error) = Promtool.Run(null, "check", "rules", file);
            Assert.True(exitCode == 0, output + error);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [GeneratedRegex(@"traffic_monitor_[a-z_]+")]
    private static partial Regex MetricName();
}
