using TrafficMonitor.Configuration;
using TrafficMonitor.Quota;
using TrafficMonitor.State;

namespace TrafficMonitor.Tests.Quota;

public class QuotaPolicyTests
{
    private const long GiB = ByteSize.BytesPerGiB;
    private static readonly BillingPeriod November = new(new DateOnly(2026, 11, 1), new DateOnly(2026, 12, 1));
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid ThisProcess = Guid.NewGuid();

    private static ThresholdsOptions Thresholds(long limitGiB = 2000, long intervalGiB = 100, decimal critical = 90) => new()
    {
        TotalLimit = new ByteSize(limitGiB * GiB),
        Interval = new ByteSize(intervalGiB * GiB),
        CriticalPercentage = critical,
    };

    private static QuotaDecision Evaluate(long usedBytes, MonitorState? state = null, ThresholdsOptions? thresholds = null,
        ShutdownActionOptions? shutdown = null, DateTimeOffset? now = null, Guid? process = null) =>
        QuotaPolicy.Evaluate(new QuotaInputs(
            thresholds ?? Thresholds(), shutdown ?? new ShutdownActionOptions(), November, usedBytes,
            state ?? MonitorState.ForPeriod(November.Start), now ?? Now, process ?? ThisProcess));

    [Fact]
    public void Evaluate_BelowFirstStage_NotifiesNothing()
    {
        var decision = Evaluate(99 * GiB);
        Assert.Null(decision.StageToNotify);
        Assert.False(decision.NotifyCritical);
        Assert.Equal(ActionVerdict.None, decision.Action);
    }

    [Fact]
    public void Evaluate_ExactlyAtAStage_NotifiesIt() => Assert.Equal(100 * GiB, Evaluate(100 * GiB).StageToNotify);

    [Fact]
    public void Evaluate_SeveralStagesCrossedInOneCheck_NotifiesOnlyTheHighest() =>
        Assert.Equal(500 * GiB, Evaluate(555 * GiB).StageToNotify);

    [Fact]
    public void Evaluate_StageAlreadyNotified_IsNotRepeated()
    {
        var state = MonitorState.ForPeriod(November.Start) with { HighestStageNotified = 500 * GiB };
        Assert.Null(Evaluate(599 * GiB, state).StageToNotify);
        Assert.Equal(600 * GiB, Evaluate(600 * GiB, state).StageToNotify);
    }

    [Fact]
    public void Evaluate_NewPeriod_RearmsEveryStage()
    {
        var october = MonitorState.ForPeriod(new DateOnly(2026, 10, 1)) with
        {
            HighestStageNotified = 1900 * GiB, CriticalNotified = true, ActionLastRunAt = Now.AddDays(-30), ActionRunBy = ThisProcess,
        };
        var decision = Evaluate(150 * GiB, october);
        Assert.True(decision.NewPeriodStarted);
        Assert.Equal(November.Start, decision.State.PeriodStart);
        Assert.Equal(100 * GiB, decision.StageToNotify);
        Assert.False(decision.State.CriticalNotified);
        Assert.Null(decision.State.ActionLastRunAt);
    }

    [Fact]
    public void Evaluate_FirstEverCheck_IsNotANewPeriodEvent() => Assert.False(Evaluate(0, new MonitorState()).NewPeriodStarted);

    [Fact]
    public void Evaluate_AtCriticalPoint_NotifiesCriticalAndRunsTheAction()
    {
        var decision = Evaluate(1800 * GiB);
        Assert.True(decision.NotifyCritical);
        Assert.Equal(ActionVerdict.Run, decision.Action);
    }

    [Fact]
    public void Evaluate_OneByteBelowCritical_DoesNotAct()
    {
        var decision = Evaluate((1800 * GiB) - 1);
        Assert.False(decision.NotifyCritical);
        Assert.Equal(ActionVerdict.None, decision.Action);
    }

    [Fact]
    public void Evaluate_ActionDisabled_NotifiesCriticalButDoesNotAct()
    {
        var decision = Evaluate(1900 * GiB, shutdown: new ShutdownActionOptions { Enabled = false });
        Assert.True(decision.NotifyCritical);
        Assert.Equal(ActionVerdict.None, decision.Action);
    }

    [Fact]
    public void Evaluate_ActionRanInThisProcess_IsNotRepeated()
    {
        var state = MonitorState.ForPeriod(November.Start) with { CriticalNotified = true, ActionLastRunAt = Now.AddMinutes(-1), ActionRunBy = ThisProcess };
        var decision = Evaluate(1900 * GiB, state, now: Now.AddHours(5));
        Assert.False(decision.NotifyCritical);
        Assert.Equal(ActionVerdict.AlreadyDone, decision.Action);
    }

    [Fact]
    public void Evaluate_RestartedWithinBootGrace_DefersTheAction()
    {
        var lastRun = Now.AddMinutes(-3);
        var state = MonitorState.ForPeriod(November.Start) with { CriticalNotified = true, ActionLastRunAt = lastRun, ActionRunBy = Guid.NewGuid() };
        var decision = Evaluate(1900 * GiB, state);
        Assert.Equal(ActionVerdict.DeferredAfterRestart, decision.Action);
        Assert.Equal(lastRun + ShutdownActionOptions.DefaultBootGrace, decision.ActionDeferredUntil);
    }

    [Fact]
    public void Evaluate_RestartedAfterBootGrace_RunsTheActionAgain()
    {
        var state = MonitorState.ForPeriod(November.Start) with { CriticalNotified = true, ActionLastRunAt = Now.AddMinutes(-10), ActionRunBy = Guid.NewGuid() };
        Assert.Equal(ActionVerdict.Run, Evaluate(1900 * GiB, state).Action);
    }

    /// <summary>
    /// After a reboot the clock may be behind the last run's timestamp. Only the process identity says who ran it:
    /// a comparison of times would take the new process for the one that acted and never enforce again.
    /// </summary>
    [Fact]
    public void Evaluate_RestartedWithTheClockBehindTheLastRun_StillWaitsForBootGraceFromThatRun()
    {
        var lastRun = Now.AddHours(1);
        var state = MonitorState.ForPeriod(November.Start) with { CriticalNotified = true, ActionLastRunAt = lastRun, ActionRunBy = Guid.NewGuid() };
        var decision = Evaluate(1900 * GiB, state);
        Assert.Equal(ActionVerdict.DeferredAfterRestart, decision.Action);
        Assert.Equal(lastRun + ShutdownActionOptions.DefaultBootGrace, decision.ActionDeferredUntil);
    }

    [Fact]
    public void Evaluate_FailedAction_IsRetried()
    {
        var state = MonitorState.ForPeriod(November.Start) with { CriticalNotified = true, ActionFailures = 2 };
        Assert.Equal(ActionVerdict.Run, Evaluate(1900 * GiB, state).Action);
    }

    [Fact]
    public void Evaluate_StagesStopAtTheLimit()
    {
        var state = MonitorState.ForPeriod(November.Start) with { HighestStageNotified = 2000 * GiB, CriticalNotified = true };
        Assert.Null(Evaluate(5000 * GiB, state, shutdown: new ShutdownActionOptions { Enabled = false }).StageToNotify);
    }

    [Fact]
    public void NextStage_AndStagesNotified_DescribeTheLadder()
    {
        var thresholds = Thresholds(limitGiB: 250, intervalGiB: 100);
        Assert.Equal(200 * GiB, QuotaPolicy.NextStage(thresholds, 150 * GiB));
        Assert.Null(QuotaPolicy.NextStage(thresholds, 200 * GiB));
        Assert.Equal([100 * GiB, 200 * GiB], QuotaPolicy.StagesNotified(thresholds, new MonitorState { HighestStageNotified = 200 * GiB }));
    }

    [Fact]
    public void CriticalBytes_IsTheFloorOfThePercentage() =>
        Assert.Equal(1_800_000_000_000L, new ThresholdsOptions { TotalLimit = new ByteSize(2_000_000_000_000), Interval = new ByteSize(1), CriticalPercentage = 90 }.CriticalBytes);
}
