using TrafficMonitor.Configuration;
using TrafficMonitor.Quota;
using TrafficMonitor.State;

namespace TrafficMonitor.Tests.Quota;

public class QuotaPolicyTests
{
    private const long GiB = ByteSize.BytesPerGiB;
    private const string Shutdown = "shutdown";
    private static readonly BillingPeriod November = new(new DateOnly(2026, 11, 1), new DateOnly(2026, 12, 1));
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid ThisProcess = Guid.NewGuid();
    private static readonly TimeSpan BootGrace = ShutdownActionOptions.DefaultBootGrace;

    private static ThresholdsOptions Thresholds(long limitGiB = 2000, long intervalGiB = 100, decimal critical = 90) => new()
    {
        TotalLimit = new ByteSize(limitGiB * GiB),
        Interval = new ByteSize(intervalGiB * GiB),
        CriticalPercentage = critical,
    };

    /// <summary>The shutdown at the critical point of the default thresholds, as the shutdown step plans it.</summary>
    private static EnforcementStep ShutdownStep => new(Shutdown, Thresholds().CriticalBytes, BootGrace);

    private static MonitorState InNovember(PeriodAlerts? alerts = null, StepRecord? shutdown = null)
    {
        var state = new MonitorState { Alerts = alerts ?? PeriodAlerts.For(November.Start) };
        return shutdown is null ? state : state.WithStep(Shutdown, shutdown with
        {
            Period = shutdown.Period ?? November.Start,
            LastRunPeriod = shutdown.LastRunAt is null ? null : shutdown.LastRunPeriod ?? November.Start,
        });
    }

    private static QuotaDecision Evaluate(long usedBytes, MonitorState? state = null, ThresholdsOptions? thresholds = null,
        IReadOnlyList<EnforcementStep>? steps = null, DateTimeOffset? now = null, Guid? process = null, BillingPeriod? period = null) =>
        QuotaPolicy.Evaluate(new QuotaInputs(
            thresholds ?? Thresholds(), steps ?? [ShutdownStep], period ?? November, usedBytes,
            state ?? InNovember(), new CheckTime(now ?? Now, now ?? Now), process ?? ThisProcess));

    private static StepDecision Shutdowns(QuotaDecision decision) => Assert.Single(decision.Steps);

    [Fact]
    public void Evaluate_BelowFirstStage_NotifiesNothing()
    {
        var decision = Evaluate(99 * GiB);
        Assert.Null(decision.StageToNotify);
        Assert.False(decision.NotifyCritical);
        Assert.Equal(StepVerdict.None, Shutdowns(decision).Verdict);
    }

    [Fact]
    public void Evaluate_ExactlyAtAStage_NotifiesIt() => Assert.Equal(100 * GiB, Evaluate(100 * GiB).StageToNotify);

    [Fact]
    public void Evaluate_SeveralStagesCrossedInOneCheck_NotifiesOnlyTheHighest() =>
        Assert.Equal(500 * GiB, Evaluate(555 * GiB).StageToNotify);

    [Fact]
    public void Evaluate_StageNotified_IsRememberedInTheNewState() =>
        Assert.Equal(500 * GiB, Evaluate(555 * GiB).State.Alerts.HighestStageNotified);

    [Fact]
    public void Evaluate_StageAlreadyNotified_IsNotRepeated()
    {
        var state = InNovember(PeriodAlerts.For(November.Start) with { HighestStageNotified = 500 * GiB });
        Assert.Null(Evaluate(599 * GiB, state).StageToNotify);
        Assert.Equal(600 * GiB, Evaluate(600 * GiB, state).StageToNotify);
    }

    [Fact]
    public void Evaluate_NewPeriod_RearmsEveryStage()
    {
        var october = new DateOnly(2026, 10, 1);
        var state = new MonitorState { Alerts = new PeriodAlerts { PeriodStart = october, HighestStageNotified = 1900 * GiB, CriticalNotified = true } }
            .WithStep(Shutdown, new StepRecord { Period = october, LastRunAt = Now.AddDays(-30), RunBy = ThisProcess, Runs = 1 });
        var decision = Evaluate(150 * GiB, state);
        Assert.True(decision.NewPeriodStarted);
        Assert.Equal(November.Start, decision.State.Alerts.PeriodStart);
        Assert.Equal(100 * GiB, decision.StageToNotify);
        Assert.False(decision.State.Alerts.CriticalNotified);
    }

    [Fact]
    public void Evaluate_NewPeriod_KeepsTheStepRecordButNotItsRuns()
    {
        var october = new DateOnly(2026, 10, 1);
        var state = new MonitorState { Alerts = PeriodAlerts.For(october) }
            .WithStep(Shutdown, new StepRecord { Period = october, LastRunAt = Now.AddDays(-30), RunBy = Guid.NewGuid(), Runs = 1 });

        var decision = Evaluate(1900 * GiB, state);

        Assert.Equal(StepVerdict.Apply, Shutdowns(decision).Verdict);
        Assert.Equal(october, decision.State.Step(Shutdown).Period);
        Assert.Equal(1, EnforcementPolicy.Applied(decision.State, ShutdownStep, November, Now, ThisProcess).Step(Shutdown).Runs);
    }

    [Fact]
    public void Evaluate_FirstEverCheck_IsNotANewPeriodEvent() => Assert.False(Evaluate(0, new MonitorState()).NewPeriodStarted);

    [Fact]
    public void Evaluate_AtCriticalPoint_NotifiesCriticalAndRunsTheAction()
    {
        var decision = Evaluate(1800 * GiB);
        Assert.True(decision.NotifyCritical);
        Assert.True(decision.State.Alerts.CriticalNotified);
        Assert.Equal(StepVerdict.Apply, Shutdowns(decision).Verdict);
    }

    [Fact]
    public void Evaluate_CriticalAndAStageAtOnce_TheCriticalMessageStandsForTheStage()
    {
        var decision = Evaluate(1850 * GiB);
        Assert.True(decision.NotifyCritical);
        Assert.Equal(1800 * GiB, decision.StageToNotify);
        Assert.Equal(1800 * GiB, decision.State.Alerts.HighestStageNotified);
    }

    [Fact]
    public void Evaluate_OneByteBelowCritical_DoesNotAct()
    {
        var decision = Evaluate((1800 * GiB) - 1);
        Assert.False(decision.NotifyCritical);
        Assert.Equal(StepVerdict.None, Shutdowns(decision).Verdict);
    }

    [Fact]
    public void Evaluate_ActionDisabled_NotifiesCriticalButDoesNotAct()
    {
        var decision = Evaluate(1900 * GiB, steps: []);
        Assert.True(decision.NotifyCritical);
        Assert.Empty(decision.Steps);
    }

    [Fact]
    public void Evaluate_ActionRanInThisProcess_IsNotRepeated()
    {
        var state = InNovember(PeriodAlerts.For(November.Start) with { CriticalNotified = true }, new StepRecord { LastRunAt = Now.AddMinutes(-1), RunBy = ThisProcess });
        var decision = Evaluate(1900 * GiB, state, now: Now.AddHours(5));
        Assert.False(decision.NotifyCritical);
        Assert.Equal(StepVerdict.AlreadyApplied, Shutdowns(decision).Verdict);
    }

    [Fact]
    public void Evaluate_RestartedWithinBootGrace_DefersTheAction()
    {
        var lastRun = Now.AddMinutes(-3);
        var state = InNovember(shutdown: new StepRecord { LastRunAt = lastRun, RunBy = Guid.NewGuid() });
        var step = Shutdowns(Evaluate(1900 * GiB, state));
        Assert.Equal(StepVerdict.DeferredAfterRestart, step.Verdict);
        Assert.Equal(lastRun + BootGrace, step.DeferredUntil);
    }

    [Fact]
    public void Evaluate_RestartedAfterBootGrace_RunsTheActionAgain()
    {
        var state = InNovember(shutdown: new StepRecord { LastRunAt = Now.AddMinutes(-10), RunBy = Guid.NewGuid() });
        Assert.Equal(StepVerdict.Apply, Shutdowns(Evaluate(1900 * GiB, state)).Verdict);
    }

    /// <summary>
    /// After a reboot the clock may be behind the last run's timestamp. Only the process identity says who ran it:
    /// a comparison of times would take the new process for the one that acted and never enforce again.
    /// </summary>
    [Fact]
    public void Evaluate_RestartedWithTheClockBehindTheLastRun_StillWaitsForBootGraceFromThatRun()
    {
        var lastRun = Now.AddHours(1);
        var state = InNovember(shutdown: new StepRecord { LastRunAt = lastRun, RunBy = Guid.NewGuid() });
        var step = Shutdowns(Evaluate(1900 * GiB, state));
        Assert.Equal(StepVerdict.DeferredAfterRestart, step.Verdict);
        Assert.Equal(lastRun + BootGrace, step.DeferredUntil);
    }

    [Fact]
    public void Evaluate_FailedAction_IsRetried()
    {
        var state = InNovember(shutdown: new StepRecord { Failures = 2 });
        Assert.Equal(StepVerdict.Apply, Shutdowns(Evaluate(1900 * GiB, state)).Verdict);
    }

    [Fact]
    public void Evaluate_StagesStopAtTheLimit()
    {
        var state = InNovember(PeriodAlerts.For(November.Start) with { HighestStageNotified = 2000 * GiB, CriticalNotified = true });
        Assert.Null(Evaluate(5000 * GiB, state, steps: []).StageToNotify);
    }

    [Fact]
    public void Evaluate_RevertibleStepInForceFromAnEarlierPeriod_IsUndone()
    {
        var throttle = new EnforcementStep("throttle", 1000 * GiB, BootGrace, Revertible: true);
        var october = new DateOnly(2026, 10, 1);
        var state = new MonitorState { Alerts = PeriodAlerts.For(october) }
            .WithStep("throttle", new StepRecord { Period = october, LastRunAt = Now.AddDays(-25), LastRunPeriod = october, RunBy = ThisProcess, Runs = 1, InForce = true });

        var decision = Evaluate(5 * GiB, state, steps: [throttle]);

        Assert.Equal(StepVerdict.Revert, Assert.Single(decision.Steps).Verdict);
        Assert.False(EnforcementPolicy.Reverted(decision.State, throttle, November).Step("throttle").InForce);
    }

    [Fact]
    public void Evaluate_RevertibleStepInForceThisPeriod_StaysApplied()
    {
        var throttle = new EnforcementStep("throttle", 1000 * GiB, BootGrace, Revertible: true);
        var state = EnforcementPolicy.Applied(InNovember(), throttle, November, Now.AddHours(-1), ThisProcess);

        Assert.True(state.Step("throttle").InForce);
        Assert.Equal(StepVerdict.AlreadyApplied, Assert.Single(Evaluate(1100 * GiB, state, steps: [throttle]).Steps).Verdict);
    }

    [Fact]
    public void Applied_ThenFailed_CountsRunsAndFailuresInThePeriod()
    {
        var ran = EnforcementPolicy.Applied(InNovember(), ShutdownStep, November, Now, ThisProcess);
        var failed = EnforcementPolicy.Failed(EnforcementPolicy.Failed(ran, ShutdownStep, November), ShutdownStep, November);

        Assert.Equal(
            new StepRecord { Period = November.Start, LastRunAt = Now, LastRunPeriod = November.Start, RunBy = ThisProcess, Runs = 1, Failures = 2 },
            failed.Step(Shutdown));
    }

    /// <summary>
    /// A time-zone change (UTC to UTC-10 just after the reset) or a clock corrected backwards moves the check into the
    /// period before. It is not a new period: nothing is re-armed, announced or run again, and back in the latest
    /// period its alerts are as they were.
    /// </summary>
    [Fact]
    public void Evaluate_ClockMovesBackIntoTheEarlierPeriodAndForwardAgain_NothingIsRearmedOrRunTwice()
    {
        var december = new BillingPeriod(November.End, new DateOnly(2027, 1, 1));
        var decemberNow = new DateTimeOffset(2026, 12, 1, 5, 0, 0, TimeSpan.Zero);
        var novemberCritical = PeriodAlerts.For(November.Start) with { HighestStageNotified = 1900 * GiB, CriticalNotified = true };
        var state = new MonitorState { Alerts = novemberCritical };
        var ranInDecember = EnforcementPolicy.Applied(
            Evaluate(1900 * GiB, state, period: december, now: decemberNow).State, ShutdownStep, december, decemberNow, ThisProcess);

        var behind = Evaluate(1950 * GiB, ranInDecember, period: November, now: decemberNow.AddMinutes(1));
        Assert.False(behind.NewPeriodStarted);
        Assert.True(behind.ClockBehind);
        Assert.False(behind.NotifyCritical);
        Assert.Null(behind.StageToNotify);
        Assert.Equal(StepVerdict.AlreadyApplied, Shutdowns(behind).Verdict);
        Assert.Equal(december.Start, behind.State.Alerts.PeriodStart);

        var forward = Evaluate(1900 * GiB, behind.State, period: december, now: decemberNow.AddMinutes(2));
        Assert.False(forward.NewPeriodStarted);
        Assert.False(forward.NotifyCritical);
        Assert.Equal(StepVerdict.AlreadyApplied, Shutdowns(forward).Verdict);
    }

    [Fact]
    public void Evaluate_ClockBehindAfterARestart_WaitsBootGraceFromTheRunInTheLaterPeriod()
    {
        var december = new BillingPeriod(November.End, new DateOnly(2027, 1, 1));
        var ranAt = new DateTimeOffset(2026, 12, 1, 5, 0, 0, TimeSpan.Zero);
        var state = EnforcementPolicy.Applied(new MonitorState { Alerts = PeriodAlerts.For(december.Start) }, ShutdownStep, december, ranAt, Guid.NewGuid());

        var step = Shutdowns(Evaluate(1900 * GiB, state, period: November, now: ranAt.AddMinutes(3)));

        Assert.Equal(StepVerdict.DeferredAfterRestart, step.Verdict);
        Assert.Equal(ranAt + BootGrace, step.DeferredUntil);
    }

    [Fact]
    public void Evaluate_RestartJustAfterANewPeriodStarted_StillWaitsBootGraceSinceTheLastRun()
    {
        var october = new DateOnly(2026, 10, 1);
        var lastRun = November.StartsAt(TimeZoneInfo.Utc).AddMinutes(-2);
        var state = new MonitorState { Alerts = PeriodAlerts.For(october) }
            .WithStep(Shutdown, new StepRecord { Period = october, LastRunAt = lastRun, LastRunPeriod = october, RunBy = Guid.NewGuid(), Runs = 1 });

        var step = Shutdowns(Evaluate(1900 * GiB, state, now: lastRun.AddMinutes(5)));

        Assert.Equal(StepVerdict.DeferredAfterRestart, step.Verdict);
        Assert.Equal(lastRun + BootGrace, step.DeferredUntil);
    }

    /// <summary>The run is recorded before its command starts; a process that died while it ran left only that record.</summary>
    [Fact]
    public void Evaluate_RunStartedByAProcessThatDied_CountsAsRunAndWaitsBootGrace()
    {
        var started = EnforcementPolicy.Starting(InNovember(), ShutdownStep, November, Now, Guid.NewGuid());
        Assert.True(started.Step(Shutdown).Unconfirmed);

        var step = Shutdowns(Evaluate(1900 * GiB, started, now: Now.AddMinutes(1)));

        Assert.Equal(StepVerdict.DeferredAfterRestart, step.Verdict);
        Assert.Equal(Now + BootGrace, step.DeferredUntil);
    }

    [Fact]
    public void Evaluate_StateCouldNotBeKeptAndNoRecordOfThisBoot_WaitsBootGraceAfterBoot()
    {
        var bootedAt = Now.AddMinutes(-4);
        var decision = QuotaPolicy.Evaluate(new QuotaInputs(
            Thresholds(), [ShutdownStep], November, 1900 * GiB, InNovember(), new CheckTime(Now, Now), ThisProcess, HistoryUnknownSince: bootedAt));

        var step = Shutdowns(decision);
        Assert.Equal(StepVerdict.DeferredAfterRestart, step.Verdict);
        Assert.True(step.LastRunUnknown);
        Assert.Equal(bootedAt + BootGrace, step.DeferredUntil);
    }

    [Fact]
    public void Evaluate_UsageReadAgain_RecoversAndRecordsTheCheck()
    {
        var degraded = InNovember() with { Health = new MonitorHealth { UsageFailures = 5, UsageFailingSince = Now.AddHours(-1), DegradedNotified = true } };

        var decision = Evaluate(42 * GiB, degraded);

        Assert.True(decision.NotifyRecovered);
        Assert.Equal(new MonitorHealth { LastCheckAt = Now, LastCountedBytes = 42 * GiB }, decision.State.Health);
    }

    [Fact]
    public void UsageFailed_NotifiesOnceAfterDegradedAfterChecksInARow()
    {
        var state = new MonitorState();
        var notified = new List<bool>();
        for (var i = 0; i < 4; i++)
        {
            (state, var notify) = QuotaPolicy.UsageFailed(state, Now.AddMinutes(i), degradedAfter: 2);
            notified.Add(notify);
        }

        Assert.Equal([false, true, false, false], notified);
        Assert.Equal(new MonitorHealth { UsageFailures = 4, UsageFailingSince = Now, DegradedNotified = true }, state.Health);
    }

    [Fact]
    public void NextStage_AndStagesNotified_DescribeTheLadder()
    {
        var thresholds = Thresholds(limitGiB: 250, intervalGiB: 100);
        Assert.Equal(200 * GiB, AlertPolicy.NextStage(thresholds, 150 * GiB));
        Assert.Null(AlertPolicy.NextStage(thresholds, 200 * GiB));
        Assert.Equal([100 * GiB, 200 * GiB], AlertPolicy.StagesNotified(thresholds, new PeriodAlerts { HighestStageNotified = 200 * GiB }));
    }

    [Fact]
    public void CriticalBytes_IsTheFloorOfThePercentage() =>
        Assert.Equal(1_800_000_000_000L, new ThresholdsOptions { TotalLimit = new ByteSize(2_000_000_000_000), Interval = new ByteSize(1), CriticalPercentage = 90 }.CriticalBytes);
}
