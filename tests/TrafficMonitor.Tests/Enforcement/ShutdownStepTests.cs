using TrafficMonitor.Configuration;
using TrafficMonitor.Enforcement;
using TrafficMonitor.Platform;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Enforcement;

public class ShutdownStepTests
{
    private static readonly StepContext Context = new(StepEvent.Apply, ShutdownStep.StepId, null);

    private static ShutdownStep CreateSut(ShutdownActionOptions options, HostPlatform? platform = null) => new(
        options,
        new ThresholdsOptions { TotalLimit = new ByteSize(100 * ByteSize.BytesPerGiB), Interval = new ByteSize(10 * ByteSize.BytesPerGiB), CriticalPercentage = 90 },
        new ProcessRunner(),
        (platform ?? HostPlatform.Linux).Shutdown);

    [Fact]
    public void Description_Unix_SaysTheDelayShutdownReallyWaits()
    {
        var step = CreateSut(new ShutdownActionOptions { Delay = TimeSpan.FromSeconds(90) }, HostPlatform.Linux);
        Assert.Equal("the server shuts down in 2m", step.Description);
        Assert.Equal(["shutdown", "-h", "+2"], step.Command.Take(3));
    }

    [Fact]
    public void Description_Windows_KeepsTheDelayAsConfigured()
    {
        var step = CreateSut(new ShutdownActionOptions { Delay = TimeSpan.FromSeconds(90) }, HostPlatform.Windows);
        Assert.Equal("the server shuts down in 1m30s", step.Description);
        Assert.Equal(["shutdown", "/s", "/t", "90"], step.Command.Take(4));
    }

    [Fact]
    public async Task ApplyAsync_Recorder_GetsTheDelayPlaceholdersFilledIn()
    {
        using var recorder = new CommandRecorder();
        var step = CreateSut(new ShutdownActionOptions { Command = [recorder.ScriptFile, "{delay_seconds}", "{delay_minutes}"], Delay = TimeSpan.FromSeconds(90) });
        Assert.True((await step.ApplyAsync(Context, CancellationToken.None)).Succeeded);
        Assert.Equal(["90 2"], recorder.Calls);
    }

    [Fact]
    public async Task ApplyAsync_MissingProgram_FailsWithAReason()
    {
        var result = await CreateSut(new ShutdownActionOptions { Command = ["/nonexistent/shutdown"] }).ApplyAsync(Context, CancellationToken.None);
        Assert.False(result.Succeeded);
        Assert.Contains("/nonexistent/shutdown", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyAsync_NonZeroExit_FailsWithItsOutput()
    {
        using var recorder = new CommandRecorder(exitCode: 3);
        var result = await CreateSut(new ShutdownActionOptions { Command = recorder.Command }).ApplyAsync(Context, CancellationToken.None);
        Assert.False(result.Succeeded);
        Assert.Contains("exited with code 3: recorder: refusing on purpose", result.Error, StringComparison.Ordinal);
    }
}
