using TrafficMonitor.Configuration;

namespace TrafficMonitor.Tests.Configuration;

public sealed class MonitorSettingsTests
{
    private const string Thresholds = "thresholds:\n  total_limit: 100\n  interval: 10\n  critical_percentage: 90\n";

    private static TrafficMonitorSettings Parse(string monitor) => ConfigLoader.Parse(Thresholds + "monitor:\n" + monitor, "t.yaml", "/tmp/state");

    [Fact]
    public void Parse_NoProvider_DefaultsToAutoWithOneMinuteCheckpoints()
    {
        var monitor = Parse("  count: total\n").Monitor;

        Assert.Equal((MonitorOptions.AutoProvider, TimeSpan.FromSeconds(60), 0m, true), (monitor.Provider, monitor.CheckpointInterval, monitor.AdjustPercent, monitor.FastChecks));
    }

    [Fact]
    public void Parse_SystemProviderAndItsKeys_AreRead()
    {
        var monitor = Parse("  provider: System\n  checkpoint_interval: 10s\n  adjust_percent: 2.5\n  fast_checks: false\n").Monitor;

        Assert.Equal((MonitorOptions.SystemProvider, TimeSpan.FromSeconds(10), 2.5m, false), (monitor.Provider, monitor.CheckpointInterval, monitor.AdjustPercent, monitor.FastChecks));
    }

    [Fact]
    public void Parse_BadValues_EachNamedByKeyPath()
    {
        var error = Assert.Throws<ConfigException>(() => Parse("  provider: kernel\n  checkpoint_interval: 100ms\n  adjust_percent: 500\n"));

        var paths = error.Problems.Select(p => p.Path).ToList();
        Assert.Equal(["monitor.provider", "monitor.checkpoint_interval", "monitor.adjust_percent"], paths);
        Assert.Contains("auto, system, vnstat", error.Problems[0].Message, StringComparison.Ordinal);
    }
}
