using TrafficMonitor.Configuration;
using TrafficMonitor.Enforcement;
using TrafficMonitor.Platform;
using TrafficMonitor.Quota;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Ladder;

/// <summary>A command step runs its lists through the real process runner, without a shell, and tells the event in its environment.</summary>
public sealed class CommandStepTests : IDisposable
{
    private const long GB = 1_000_000_000;
    private readonly StepRecorder _recorder = new();

    private static readonly QuotaSnapshot Snapshot = new(
        "web-1", new BillingPeriod(new DateOnly(2026, 11, 1), new DateOnly(2026, 12, 1)), 500 * GB, 350 * GB, 850 * GB,
        CountMode.Total, 1000 * GB, 900 * GB, 85m, 900 * GB, new SizeUnits(UnitSystem.Decimal, 3));

    public void Dispose() => _recorder.Dispose();

    private CommandStep CreateSut(IReadOnlyList<string>? undo = null) => new(
        "command@80%", 800 * GB, new CommandStepOptions([_recorder.ScriptFile, "on", "10 Mbit", "$HOME;ls"], undo, TimeSpan.FromSeconds(10)), new ProcessRunner());

    [Fact]
    public async Task ApplyAsync_Recorder_GetsItsArgumentsUnsplitAndTheEvent()
    {
        var result = await CreateSut().ApplyAsync(new StepContext(StepEvent.Apply, "command@80%", Snapshot), CancellationToken.None);

        Assert.True(result.Succeeded, result.Error);
        var call = Assert.Single(_recorder.Calls);
        Assert.StartsWith("[on][10 Mbit][$HOME;ls] ", call, StringComparison.Ordinal);
        foreach (var variable in new[]
        {
            "TRAFFIC_MONITOR_EVENT=apply", "TRAFFIC_MONITOR_STEP=command@80%", "TRAFFIC_MONITOR_USED_BYTES=850000000000",
            "TRAFFIC_MONITOR_LIMIT_BYTES=1000000000000", "TRAFFIC_MONITOR_PERCENT=85", "TRAFFIC_MONITOR_PERIOD_START=2026-11-01",
            "TRAFFIC_MONITOR_PERIOD_END=2026-11-30", "TRAFFIC_MONITOR_AT_BYTES=800000000000",
        })
        {
            Assert.Contains(variable + " ", call, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ApplyAsync_NonZeroExit_FailsWithTheCommandsOutput()
    {
        _recorder.ExitCode = 4;

        var result = await CreateSut().ApplyAsync(new StepContext(StepEvent.Apply, "command@80%", Snapshot), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("exited with code 4: step recorder: refusing on purpose", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyAsync_MissingProgram_FailsNamingIt()
    {
        var step = new CommandStep("x", 1, new CommandStepOptions(["/nonexistent/quota-script"], null, TimeSpan.FromSeconds(5)), new ProcessRunner());

        var result = await step.ApplyAsync(new StepContext(StepEvent.Apply, "x", null), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("/nonexistent/quota-script", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevertAsync_WithUndo_RunsTheUndoListToldItIsARevert()
    {
        var step = CreateSut(undo: [_recorder.ScriptFile, "off"]);

        Assert.True((await step.RevertAsync(new StepContext(StepEvent.Revert, "command@80%", Snapshot), CancellationToken.None)).Succeeded);

        var call = Assert.Single(_recorder.Calls);
        Assert.StartsWith("[off] ", call, StringComparison.Ordinal);
        Assert.Contains("TRAFFIC_MONITOR_EVENT=revert ", call, StringComparison.Ordinal);
        Assert.True(step.Plan.Revertible);
    }

    [Fact]
    public async Task RevertAsync_WithoutUndo_RunsNothing()
    {
        var step = CreateSut();

        Assert.True((await step.RevertAsync(new StepContext(StepEvent.Revert, "command@80%", null), CancellationToken.None)).Succeeded);
        Assert.Empty(_recorder.Calls);
        Assert.True(step.Plan.OncePerPeriod);
    }

    [Fact]
    public void EnvironmentFor_NoUsageReading_TellsOnlyTheEventAndTheStep() =>
        Assert.Equal(["TRAFFIC_MONITOR_EVENT", "TRAFFIC_MONITOR_STEP"],
            CommandStep.EnvironmentFor(new StepContext(StepEvent.Revert, "s", null), long.MaxValue).Keys.Order(StringComparer.Ordinal));
}
