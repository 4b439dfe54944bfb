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

/// <param name="LastRunUnknown">Deferred because the state could not be kept, so an earlier run in this boot cannot be ruled out.</param>
public sealed record StepDecision(EnforcementStep Step, StepVerdict Verdict, DateTimeOffset? DeferredUntil = null, bool LastRunUnknown = false);

/// <summary>
/// The enforcement rules, pure: each step is applied once per period when usage reaches its point, held after a
/// restart until <c>boot_grace</c> has passed since it last ran (in this period or the one before), and undone when a
/// new period starts. A period earlier than the one of the last run (the clock moved back) is not a new one.
/// </summary>
public static class EnforcementPolicy
{
    /// <param name="historyUnknownSince">
    /// Set when the state could not be kept and this boot left no record: a step may have run since then without a
    /// trace, so it counts as run then (by another process) and waits boot_grace from it.
    /// </param>
    public static IReadOnlyList<StepDecision> Evaluate(
        IReadOnlyList<EnforcementStep> steps, BillingPeriod period, long countedBytes, MonitorState state, DateTimeOffset now, Guid process,
        DateTimeOffset? historyUnknownSince = null) =>
        steps.Select(step => Decide(step, period, countedBytes, state.Step(step.Id), now, process, historyUnknownSince)).ToList();

    /// <summary>The step ran: recorded as this process's run in <paramref name="period"/>.</summary>
    public static MonitorState Applied(MonitorState state, EnforcementStep step, BillingPeriod period, DateTimeOffset now, Guid process)
    {
        var record = state.Step(step.Id).In(period.Start);
        return state.WithStep(step.Id, record with
        {
            Runs = record.Runs + 1,
            Failures = 0,
            LastRunAt = now,
            LastRunPeriod = record.LastRunPeriod > period.Start ? record.LastRunPeriod : period.Start,
            RunBy = process,
            Unconfirmed = false,
            InForce = step.Revertible,
        });
    }

    /// <summary>
    /// The step is about to run: recorded as a run before its command starts, so a monitor that dies while it runs
    /// (or a command that powers the machine off before returning) never has it repeated at once by the next process.
    /// </summary>
    public static MonitorState Starting(MonitorState state, EnforcementStep step, BillingPeriod period, DateTimeOffset now, Guid process)
    {
        var applied = Applied(state, step, period, now, process);
        return applied.WithStep(step.Id, applied.Step(step.Id) with { Unconfirmed = true });
    }

    /// <param name="state">The state before <see cref="Starting"/>: a failed run is no run.</param>
    public static MonitorState Failed(MonitorState state, EnforcementStep step, BillingPeriod period)
    {
        var record = state.Step(step.Id).In(period.Start);
        return state.WithStep(step.Id, record with { Failures = record.Failures + 1 });
    }

    public static MonitorState Reverted(MonitorState state, EnforcementStep step, BillingPeriod period) =>
        state.WithStep(step.Id, state.Step(step.Id).In(period.Start) with { InForce = false });

    private static StepDecision Decide(
        EnforcementStep step, BillingPeriod period, long countedBytes, StepRecord saved, DateTimeOffset now, Guid process, DateTimeOffset? historyUnknownSince)
    {
        if (step.Revertible && saved.InForce && saved.LastRunPeriod < period.Start)
        {
            return new StepDecision(step, StepVerdict.Revert);
        }

        if (countedBytes < step.AtBytes)
        {
            return new StepDecision(step, StepVerdict.None);
        }

        if (saved.LastRunAt is not null && saved.RunBy == process)
        {
            return new StepDecision(step, saved.RanIn(period.Start) ? StepVerdict.AlreadyApplied : StepVerdict.Apply);
        }

        // An earlier process ran it, in this period or just before a new one started: a restart (often a reboot
        // caused by the step itself) waits boot_grace since that run, whatever the period.
        var unknown = historyUnknownSince > saved.LastRunAt || (historyUnknownSince is not null && saved.LastRunAt is null);
        if ((unknown ? historyUnknownSince : saved.LastRunAt) is not { } lastRun)
        {
            return new StepDecision(step, StepVerdict.Apply);
        }

        var allowedAt = lastRun + step.BootGrace;
        return now >= allowedAt ? new StepDecision(step, StepVerdict.Apply) : new StepDecision(step, StepVerdict.DeferredAfterRestart, allowedAt, unknown);
    }
}
