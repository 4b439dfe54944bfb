using Microsoft.Extensions.Time.Testing;
using TrafficMonitor.Quota;
using TrafficMonitor.State;

namespace TrafficMonitor.Tests.Ladder;

/// <summary>
/// The ladder's rules, pure: a revertible step is in force exactly while usage is over its point in this period and
/// nothing holds enforcement; a one-off runs once a period; what a reboot lost is applied again.
/// </summary>
public class LadderPolicyTests
{
    private const long GB = 1_000_000_000;
    private static readonly BillingPeriod November = new(new DateOnly(2026, 11, 1), new DateOnly(2026, 12, 1));
    private static readonly BillingPeriod December = new(new DateOnly(2026, 12, 1), new DateOnly(2027, 1, 1));

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero));
    private readonly Guid _process = Guid.NewGuid();

    // The README's ladder, with what this build runs: a revertible command at 80%, a one-off at 95%, a shutdown at 100%.
    private static readonly EnforcementStep Throttle = new("throttle-script", 800 * GB, TimeSpan.Zero, Revertible: true) { RetryAfter = TimeSpan.FromSeconds(30) };
    private static readonly EnforcementStep Page = new("page", 950 * GB, TimeSpan.Zero) { OncePerPeriod = true };
    private static readonly EnforcementStep Shutdown = new("shutdown", 1000 * GB, TimeSpan.FromMinutes(10));
    private static readonly EnforcementStep[] Ladder = [Throttle, Page, Shutdown];

    private IReadOnlyList<StepDecision> Evaluate(long used, MonitorState state, BillingPeriod? period = null, Guid? process = null, DateTimeOffset? bootedAt = null, IReadOnlyList<EnforcementStep>? steps = null) =>
        EnforcementPolicy.Evaluate(steps ?? Ladder, state, new EnforcementInputs(period ?? November, used, _time.GetUtcNow(), process ?? _process, bootedAt ?? _time.GetUtcNow().AddDays(-5)));

    private static StepVerdict VerdictOf(IReadOnlyList<StepDecision> decisions, EnforcementStep step) => decisions.Single(d => d.Step.Id == step.Id).Verdict;

    private MonitorState AppliedNow(MonitorState state, EnforcementStep step, BillingPeriod? period = null, Guid? process = null) =>
        EnforcementPolicy.Applied(state, step, period ?? November, _time.GetUtcNow(), process ?? _process, "command", ["/usr/local/bin/undo"]);

    [Fact]
    public void Evaluate_UsageBetweenTwoPoints_AppliesOnlyTheSteps_AtOrBelowIt()
    {
        var decisions = Evaluate(960 * GB, new MonitorState());

        Assert.Equal([StepVerdict.Apply, StepVerdict.Apply, StepVerdict.None], decisions.Select(d => d.Verdict));
    }

    [Fact]
    public void Evaluate_AppliedByThisProcess_IsNotAppliedTwice()
    {
        var state = AppliedNow(new MonitorState(), Throttle);
        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(StepVerdict.AlreadyApplied, VerdictOf(Evaluate(850 * GB, state), Throttle));
        Assert.True(state.Step(Throttle.Id).InForce);
    }

    [Fact]
    public void Evaluate_NewPeriod_RevertsWhatIsInForce()
    {
        var state = AppliedNow(new MonitorState(), Throttle);
        _time.Advance(TimeSpan.FromDays(11));

        var decision = Evaluate(1 * GB, state, December).Single(d => d.Step.Id == Throttle.Id);

        Assert.Equal((StepVerdict.Revert, RevertReason.NewPeriod), (decision.Verdict, decision.Reason));
    }

    [Fact]
    public void Evaluate_Reverted_IsNotRevertedAgain()
    {
        var state = EnforcementPolicy.Reverted(AppliedNow(new MonitorState(), Throttle), Throttle, December, _time.GetUtcNow());

        Assert.Equal(StepVerdict.None, VerdictOf(Evaluate(1 * GB, state, December), Throttle));
    }

    [Fact]
    public void Evaluate_RestartInTheSameBoot_LeavesTheStepInForceAlone()
    {
        var state = AppliedNow(new MonitorState(), Throttle);
        _time.Advance(TimeSpan.FromMinutes(3));

        Assert.Equal(StepVerdict.AlreadyApplied, VerdictOf(Evaluate(850 * GB, state, process: Guid.NewGuid()), Throttle));
    }

    [Fact]
    public void Evaluate_AfterARebootStillOverItsPoint_AppliesItAgain()
    {
        var state = AppliedNow(new MonitorState(), Throttle);
        _time.Advance(TimeSpan.FromMinutes(3)); // the machine rebooted a minute ago: the kernel forgot the step

        Assert.Equal(StepVerdict.Reapply, VerdictOf(Evaluate(850 * GB, state, process: Guid.NewGuid(), bootedAt: _time.GetUtcNow().AddMinutes(-1)), Throttle));
    }

    [Fact]
    public void Evaluate_AfterARebootNoLongerOverItsPoint_RevertsIt()
    {
        // set-usage corrected the figure below the step's point while the machine was down.
        var state = AppliedNow(new MonitorState(), Throttle);
        _time.Advance(TimeSpan.FromMinutes(3));

        var decision = Evaluate(700 * GB, state, process: Guid.NewGuid(), bootedAt: _time.GetUtcNow().AddMinutes(-1)).Single(d => d.Step.Id == Throttle.Id);

        Assert.Equal((StepVerdict.Revert, RevertReason.BelowPoint), (decision.Verdict, decision.Reason));
    }

    [Fact]
    public void Evaluate_InterruptedWhileApplying_AppliesItAgainInTheNextProcess()
    {
        var state = EnforcementPolicy.Starting(new MonitorState(), Throttle, November, _time.GetUtcNow(), _process, "command", null);
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(StepVerdict.Reapply, VerdictOf(Evaluate(850 * GB, state, process: Guid.NewGuid()), Throttle));
    }

    [Fact]
    public void Evaluate_OneOffAfterARestart_DoesNotRunTwiceInAPeriod()
    {
        var state = AppliedNow(new MonitorState(), Page);
        _time.Advance(TimeSpan.FromHours(2));

        Assert.Equal(StepVerdict.AlreadyApplied, VerdictOf(Evaluate(960 * GB, state, process: Guid.NewGuid(), bootedAt: _time.GetUtcNow()), Page));
        Assert.False(state.Step(Page.Id).InForce);
    }

    [Fact]
    public void Evaluate_OneOffInTheNextPeriod_RunsAgainAtItsPoint()
    {
        var state = AppliedNow(new MonitorState(), Page);
        _time.Advance(TimeSpan.FromDays(20));

        Assert.Equal(StepVerdict.Apply, VerdictOf(Evaluate(960 * GB, state, December, process: Guid.NewGuid()), Page));
    }

    [Fact]
    public void Evaluate_Paused_RevertsWhatIsInForceAndHoldsTheRest()
    {
        var state = EnforcementPolicy.Paused(AppliedNow(new MonitorState(), Throttle), _time.GetUtcNow(), until: null);

        var decisions = Evaluate(1200 * GB, state);

        Assert.Equal([StepVerdict.Revert, StepVerdict.Held, StepVerdict.Held], decisions.Select(d => d.Verdict));
        Assert.Equal(RevertReason.Paused, decisions[0].Reason);
    }

    [Fact]
    public void Evaluate_PausedAfterTheShutdownRan_ItStaysRunNotHeld()
    {
        var state = EnforcementPolicy.Paused(AppliedNow(new MonitorState(), Shutdown), _time.GetUtcNow(), until: null);

        Assert.Equal(StepVerdict.AlreadyApplied, VerdictOf(Evaluate(1200 * GB, state), Shutdown));
    }

    [Fact]
    public void Evaluate_PauseUntilATime_EndsByItselfAndTheStepAppliesAgain()
    {
        var state = EnforcementPolicy.Paused(new MonitorState(), _time.GetUtcNow(), until: _time.GetUtcNow().AddHours(1));
        Assert.Equal(StepVerdict.Held, VerdictOf(Evaluate(850 * GB, state), Throttle));

        _time.Advance(TimeSpan.FromHours(1));
        var decision = QuotaPolicy.Evaluate(new QuotaInputs(
            new TrafficMonitor.Configuration.ThresholdsOptions { TotalLimit = new(1000 * GB), Interval = new(100 * GB), CriticalPercentage = 100 },
            Ladder, November, 850 * GB, state, CheckTime.From(_time), _process));

        Assert.True(decision.HoldEnded);
        Assert.Null(decision.State.Hold);
        Assert.Equal(StepVerdict.Apply, VerdictOf(decision.Steps, Throttle));
    }

    [Fact]
    public void Evaluate_Resumed_AppliesAgainInTheSamePeriod()
    {
        var paused = EnforcementPolicy.Paused(AppliedNow(new MonitorState(), Throttle), _time.GetUtcNow(), until: null);
        var reverted = EnforcementPolicy.Reverted(paused, Throttle, November, _time.GetUtcNow());
        _time.Advance(TimeSpan.FromMinutes(30));

        Assert.Equal(StepVerdict.Apply, VerdictOf(Evaluate(850 * GB, EnforcementPolicy.Resumed(reverted)), Throttle));
    }

    [Fact]
    public void Evaluate_RuleRemovedWhileInForce_IsRevertedFromItsRecord()
    {
        var state = AppliedNow(new MonitorState(), Throttle);

        var decisions = Evaluate(850 * GB, state, steps: [Page, Shutdown]);

        var removed = Assert.Single(decisions, d => d.Step.Id == Throttle.Id);
        Assert.Equal((StepVerdict.Revert, RevertReason.RuleRemoved), (removed.Verdict, removed.Reason));
        Assert.Equal(["/usr/local/bin/undo"], state.Step(Throttle.Id).Undo!);
    }

    [Fact]
    public void Evaluate_RemovedRuleNotInForce_IsLeftAlone() =>
        Assert.DoesNotContain(Evaluate(960 * GB, AppliedNow(new MonitorState(), Page), steps: [Throttle]), d => d.Step.Id == Page.Id);

    [Fact]
    public void Evaluate_FailedJustNow_IsRetriedOnlyAfterItsRetryInterval()
    {
        var state = EnforcementPolicy.Failed(new MonitorState(), Throttle, November, _time.GetUtcNow());

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(StepVerdict.None, VerdictOf(Evaluate(850 * GB, state), Throttle));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(StepVerdict.Apply, VerdictOf(Evaluate(850 * GB, state), Throttle));
    }

    [Fact]
    public void Evaluate_ClockMovedBackIntoTheLastPeriod_UndoesNothing()
    {
        var state = AppliedNow(new MonitorState(), Throttle, December);

        Assert.Equal(StepVerdict.AlreadyApplied, VerdictOf(Evaluate(10 * GB, state, November), Throttle));
    }

    [Fact]
    public void RevertAll_HoldsUntilResumeAndCountsEveryStepInForce()
    {
        var state = AppliedNow(AppliedNow(new MonitorState(), Throttle), Page);

        var held = EnforcementPolicy.Paused(state, _time.GetUtcNow(), null, revertAll: true);

        Assert.Equal([Throttle.Id], EnforcementPolicy.InForce(held));
        Assert.True(held.Hold!.RevertAll);
        _time.Advance(TimeSpan.FromDays(400));
        Assert.True(held.Hold.ActiveAt(_time.GetUtcNow()));
    }
}
