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

    [Theory]
    [InlineData("--rx", "11")]
    [InlineData("--tx", "10.5 GiB")]
    public void SetUsage_APartLargerThanTheWhole_IsRefusedAndWritesNothing(string option, string part)
    {
        using var dir = new TempDirectory();
        var config = dir.Write("settings.yaml", TestSettings.Yaml(dir.Combine("state"), monitor: "provider: system"));

        var result = CliRunner.Run(["--config", config, "set-usage", "10", option, part]);

        Assert.Equal(64, result.ExitCode);
        Assert.Contains($"set-usage {option}:", result.Error, StringComparison.Ordinal);
        Assert.Contains($"{part} is more than SIZE (10), the whole it is part of", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.Combine("state", "calibration.json")));
    }

    [Fact]
    public void SetUsage_Clear_RemovesTheCalibration()
    {
        using var dir = new TempDirectory();
        var config = dir.Write("settings.yaml", TestSettings.Yaml(dir.Combine("state"), totalLimit: "\"100 TB\"", interval: "\"1 TB\"", monitor: "provider: system"));
        Assert.Equal(0, CliRunner.Run(["--config", config, "set-usage", "50 TB"]).ExitCode);
        Assert.True(File.Exists(dir.Combine("state", "calibration.json")));

        var cleared = CliRunner.Run(["--config", config, "set-usage", "--clear"]);
        var again = CliRunner.Run(["--config", config, "set-usage", "--clear"]);

        Assert.Equal((0, 0), (cleared.ExitCode, again.ExitCode));
        Assert.Contains("Calibration removed", cleared.Output, StringComparison.Ordinal);
        Assert.Contains("There is no calibration to remove", again.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.Combine("state", "calibration.json")));
    }

    [Fact]
    public void SetUsage_ClearWithASize_IsRefused()
    {
        var result = CliRunner.Run(["set-usage", "10", "--clear"]);

        Assert.Equal(64, result.ExitCode);
        Assert.Contains("--clear takes no SIZE", result.Error, StringComparison.Ordinal);
    }
}
