using TrafficMonitor.Actions;
using TrafficMonitor.Configuration;
using TrafficMonitor.Platform;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Actions;

public class ShutdownActionTests
{
    [Theory]
    [InlineData(60, "+1")]
    [InlineData(30, "+1")]
    [InlineData(61, "+2")]
    [InlineData(0, "now")]
    [InlineData(600, "+10")]
    public void OperatingSystemCommand_RoundsTheDelayUpToWholeMinutes(int seconds, string when) =>
        Assert.Equal(["shutdown", "-h", when], ShutdownAction.OperatingSystemCommand(TimeSpan.FromSeconds(seconds)).Take(3));

    [Fact]
    public async Task RunAsync_Recorder_GetsTheDelayPlaceholdersFilledIn()
    {
        using var recorder = new CommandRecorder();
        var action = new ShutdownAction(new ShutdownActionOptions { Command = [recorder.ScriptFile, "{delay_seconds}", "{delay_minutes}"], Delay = TimeSpan.FromSeconds(90) }, new ProcessRunner());
        Assert.True((await action.RunAsync(CancellationToken.None)).Succeeded);
        Assert.Equal(["90 2"], recorder.Calls);
    }

    [Fact]
    public async Task RunAsync_MissingProgram_FailsWithAReason()
    {
        var action = new ShutdownAction(new ShutdownActionOptions { Command = ["/nonexistent/shutdown"] }, new ProcessRunner());
        var result = await action.RunAsync(CancellationToken.None);
        Assert.False(result.Succeeded);
        Assert.Contains("/nonexistent/shutdown", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NonZeroExit_FailsWithItsOutput()
    {
        using var recorder = new CommandRecorder(exitCode: 3);
        var result = await new ShutdownAction(new ShutdownActionOptions { Command = recorder.Command }, new ProcessRunner()).RunAsync(CancellationToken.None);
        Assert.False(result.Succeeded);
        Assert.Contains("exited with code 3: recorder: refusing on purpose", result.Error, StringComparison.Ordinal);
    }
}
