using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Cli;

public sealed class SetUsageCommandTests
{
    [Theory]
    [InlineData("lots")]
    [InlineData("-5 GB")]
    public void SetUsage_SizeNotASize_ExitsWithUsageErrorAndWritesNothing(string size)
    {
        using var dir = new TempDirectory();
        var config = dir.Write("settings.yaml", TestSettings.Yaml(dir.Combine("state"), monitor: "provider: system"));

        var result = CliRunner.Run(["--config", config, "set-usage", size]);

        Assert.Equal(64, result.ExitCode);
        Assert.Contains("set-usage SIZE", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.Combine("state", "calibration.json")));
    }

    [Fact]
    public void SetUsage_NoSize_ExplainsTheCommand()
    {
        var result = CliRunner.Run(["set-usage"]);

        Assert.Equal(64, result.ExitCode);
        Assert.Contains("'SIZE' missing for command: 'set-usage'", result.Error, StringComparison.Ordinal);
        Assert.Contains("Run 'traffic-monitor --help' for usage.", result.Error, StringComparison.Ordinal);
    }
}
