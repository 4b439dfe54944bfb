using TrafficMonitor.State;

namespace TrafficMonitor.Quota;

/// <summary>What one enforcement step should do at this check.</summary>
public enum StepVerdict
{
    /// <summary>Below the step's point, and nothing to undo.</summary>
    None,

    /// <summary>Apply (run) it now.</summary>
    Apply,

    /// <summary>This process already applied it this period.</summary>
    AlreadyApplied,

    /// <summary>
    /// An earlier process (before a restart or reboot) applied it this period and usage is still over its point:
    /// wait for <see cref="StepDecision.DeferredUntil"/> so a reboot never turns into a shutdown loop.
    /// </summary>
    DeferredAfterRestart,

    /// <summary>It is still in force from an earlier period: undo it, as the period reset.</summary>
    Revert,
}

/// <summary>One enforcement step as the policy sees it: where it starts, and how it behaves across restarts and periods.</summary>
/// <param name="Revertible">Whether the step stays in force until undone (a shutdown is over once it ran).</param>
public sealed record EnforcementStep(string Id, long AtBytes, TimeSpan BootGrace, bool Revertible = false);

public sealed record StepDecision(EnforcementStep Step, StepVerdict Verdict, DateTimeOffset? DeferredUntil = null);

/// <summary>
/// The enforcement rules, pure: each step is applied once per period when usage reaches its point, held after a
/// restart until <c>boot_grace</c> has passed since it last ran, and undone when a new period starts.
/// </summary>
public static class EnforcementPolicy
{
    public static IReadOnlyList<StepDecision> Evaluate(
        IReadOnlyList<EnforcementStep> steps, BillingPeriod period, long countedBytes, MonitorState state, DateTimeOffset now, Guid process) =>
        steps.Select(step => Decide(step, period, countedBytes, state.Step(step.Id), now, process)).ToList();

    public static MonitorState Applied(MonitorState state, EnforcementStep step, BillingPeriod period, DateTimeOffset now, Guid process)
    {
        var record = state.Step(step.Id).In(period.Start);
        return state.WithStep(step.Id, record with { LastRunAt = now, RunBy = process, Runs = record.Runs + 1, Failures = 0, InForce = step.Revertible });
    }

    public static MonitorState Failed(MonitorState state, EnforcementStep step, BillingPeriod period)
    {
        var record = state.Step(step.Id).In(period.Start);
        return state.WithStep(step.Id, record with { Failures = record.Failures + 1 });
    }

    public static MonitorState Reverted(MonitorState state, EnforcementStep step, BillingPeriod period) =>
        state.WithStep(step.Id, state.Step(step.Id).In(period.Start) with { InForce = false });

    private static StepDecision Decide(EnforcementStep step, BillingPeriod period, long countedBytes, StepRecord saved, DateTimeOffset now, Guid process)
    {
        if (step.Revertible && saved.InForce && saved.Period != period.Start)
        {
            return new StepDecision(step, StepVerdict.Revert);
        }

        if (countedBytes < step.AtBytes)
        {
            return new StepDecision(step, StepVerdict.None);
        }

        var record = saved.In(period.Start);
        if (record.LastRunAt is not { } lastRun)
        {
            return new StepDecision(step, StepVerdict.Apply);
        }

        if (record.RunBy == process)
        {
            return new StepDecision(step, StepVerdict.AlreadyApplied);
        }

        var allowedAt = lastRun + step.BootGrace;
        return now >= allowedAt ? new StepDecision(step, StepVerdict.Apply) : new StepDecision(step, StepVerdict.DeferredAfterRestart, allowedAt);
    }
}
