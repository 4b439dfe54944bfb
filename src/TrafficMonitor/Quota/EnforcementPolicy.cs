using TrafficMonitor.State;

namespace TrafficMonitor.Quota;

/// <summary>What one enforcement step should do at this check.</summary>
public enum StepVerdict
{
    /// <summary>Below the step's point, and nothing to undo (or a failed step waiting for its retry).</summary>
    None,

    /// <summary>Apply (run) it now.</summary>
    Apply,

    /// <summary>Applied and still as it should be: in force (checked), or a one-off that already ran this period.</summary>
    AlreadyApplied,

    /// <summary>
    /// An earlier process (before a restart or reboot) applied it this period and usage is still over its point:
    /// wait for <see cref="StepDecision.DeferredUntil"/> so a reboot never turns into a shutdown loop.
    /// </summary>
    DeferredAfterRestart,

    /// <summary>In force and should not be: a new period, enforcement paused, its rule removed, or usage below its point.</summary>
    Revert,

    /// <summary>In force before a reboot, which lost it (or the monitor died while applying it), and it should still hold: apply it again.</summary>
    Reapply,

    /// <summary>Over its point, but enforcement is paused (<c>traffic-monitor pause</c>): not applied.</summary>
    Held,
}

/// <summary>Why a step is undone, for the log and the message.</summary>
public enum RevertReason
{
    None,
    NewPeriod,
    Paused,
    RuleRemoved,
    BelowPoint,
}

/// <summary>One enforcement step as the policy sees it: where it starts, and how it behaves across restarts and periods.</summary>
/// <param name="Revertible">Whether the step stays in force until undone (a shutdown is over once it ran).</param>
public sealed record EnforcementStep(string Id, long AtBytes, TimeSpan BootGrace, bool Revertible = false)
{
    /// <summary>Runs at most once a period, even across restarts: an event, not a state (a command without undo).</summary>
    public bool OncePerPeriod { get; init; }

    /// <summary>A failed attempt is retried no sooner than this after it (zero: at the next check).</summary>
    public TimeSpan RetryAfter { get; init; }

    /// <summary>How often undoing a removed rule's step is tried again after it failed.</summary>
    public static readonly TimeSpan RemovedRetryAfter = TimeSpan.FromSeconds(30);

    /// <summary>The plan of a step whose rule is gone from the settings, while its record says it is in force.</summary>
    public static EnforcementStep Removed(string id) => new(id, long.MaxValue, TimeSpan.Zero, Revertible: true) { RetryAfter = RemovedRetryAfter };
}

/// <param name="LastRunUnknown">Deferred because the state could not be kept, so an earlier run in this boot cannot be ruled out.</param>
public sealed record StepDecision(
    EnforcementStep Step, StepVerdict Verdict, DateTimeOffset? DeferredUntil = null, bool LastRunUnknown = false, RevertReason Reason = RevertReason.None)
{
    /// <summary>The step's rule is no longer in the settings: it is only undone, from its record.</summary>
    public bool RuleRemoved => Reason == RevertReason.RuleRemoved;
}

/// <summary>What the enforcement policy needs besides the steps and the state.</summary>
/// <param name="BootedAt">When this machine booted: a step in force since before then was lost with the kernel's state.</param>
/// <param name="HistoryUnknownSince">
/// Set when the state could not be kept and this boot left no record: a step may have run since then without a
/// trace, so it counts as run then (by another process) and waits boot_grace from it.
/// </param>
public sealed record EnforcementInputs(
    BillingPeriod Period, long CountedBytes, DateTimeOffset Now, Guid Process, DateTimeOffset? BootedAt = null, DateTimeOffset? HistoryUnknownSince = null);

/// <summary>
/// The enforcement rules, pure. A step that can be undone (revertible) is in force exactly while usage is at or over
/// its point in the current period and enforcement is not paused: it is applied when that starts, undone when it
/// ends (a new period, a pause, usage corrected below its point) or when its rule leaves the settings, and applied
/// again after a reboot lost it. A step that cannot be undone (the shutdown) runs once per period at its point, and
/// after a restart again only when <c>boot_grace</c> has passed since it last ran (no shutdown loop); a one-off step
/// (a command without undo) runs once per period, whatever restarts. A paused step is not applied. A failed attempt is
/// retried (after the step's retry interval). A period earlier than the one of the last run (the clock moved back) is
/// not a new one: nothing is undone or done again.
/// </summary>
public static class EnforcementPolicy
{
    public static IReadOnlyList<StepDecision> Evaluate(IReadOnlyList<EnforcementStep> steps, MonitorState state, EnforcementInputs inputs)
    {
        var held = state.Hold?.ActiveAt(inputs.Now) == true;
        var decisions = steps.Select(step => Decide(step, state.Step(step.Id), held, inputs)).ToList();
        var configured = steps.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        decisions.AddRange(state.Steps
            .Where(s => s.Value.InForce && !configured.Contains(s.Key))
            .Where(s => !(s.Value.Failures > 0 && inputs.Now < s.Value.LastFailureAt + EnforcementStep.RemovedRetryAfter))
            .OrderBy(s => s.Key, StringComparer.Ordinal)
            .Select(s => new StepDecision(EnforcementStep.Removed(s.Key), StepVerdict.Revert, Reason: RevertReason.RuleRemoved)));
        return decisions;
    }

    /// <summary>The old entry point, for the shutdown alone: no boot time, so nothing in force is re-applied.</summary>
    public static IReadOnlyList<StepDecision> Evaluate(
        IReadOnlyList<EnforcementStep> steps, BillingPeriod period, long countedBytes, MonitorState state, DateTimeOffset now, Guid process,
        DateTimeOffset? historyUnknownSince = null) =>
        Evaluate(steps, state, new EnforcementInputs(period, countedBytes, now, process, null, historyUnknownSince));

    /// <summary>Every step the state says is in force, by id: what <c>revert-all</c> undoes.</summary>
    public static IReadOnlyList<string> InForce(MonitorState state) =>
        state.Steps.Where(s => s.Value.InForce).Select(s => s.Key).Order(StringComparer.Ordinal).ToList();

    /// <summary>Holds enforcement from <paramref name="now"/> until <paramref name="until"/> (null: until <c>resume</c>).</summary>
    public static MonitorState Paused(MonitorState state, DateTimeOffset now, DateTimeOffset? until, bool revertAll = false) =>
        state with { Hold = new EnforcementHold(state.Hold?.ActiveAt(now) == true ? state.Hold.Since : now, until, revertAll) };

    public static MonitorState Resumed(MonitorState state) => state with { Hold = null };

    /// <summary>The state without a hold whose time is up; <c>Ended</c> says whether one ended.</summary>
    public static (MonitorState State, bool Ended) ExpireHold(MonitorState state, DateTimeOffset now) =>
        state.Hold is { } hold && !hold.ActiveAt(now) ? (state with { Hold = null }, true) : (state, false);

    /// <summary>The step ran: recorded as this process's run in <paramref name="period"/>.</summary>
    /// <param name="kind">The rule's kind, and what undoes the step, kept so a removed rule can still be undone.</param>
    public static MonitorState Applied(
        MonitorState state, EnforcementStep step, BillingPeriod period, DateTimeOffset now, Guid process, string? kind = null, IReadOnlyList<string>? undo = null)
    {
        var record = state.Step(step.Id).In(period.Start);
        return state.WithStep(step.Id, record with
        {
            Runs = record.Runs + 1,
            Failures = 0,
            LastFailureAt = null,
            LastRunAt = now,
            LastRunPeriod = record.LastRunPeriod > period.Start ? record.LastRunPeriod : period.Start,
            RunBy = process,
            Unconfirmed = false,
            InForce = step.Revertible,
            Kind = kind ?? record.Kind,
            Undo = undo is { Count: > 0 } ? undo : record.Undo,
        });
    }

    /// <summary>
    /// The step is about to run: recorded as a run before its command starts, so a monitor that dies while it runs
    /// (or a command that powers the machine off before returning) never has it repeated at once by the next process.
    /// </summary>
    public static MonitorState Starting(
        MonitorState state, EnforcementStep step, BillingPeriod period, DateTimeOffset now, Guid process, string? kind = null, IReadOnlyList<string>? undo = null)
    {
        var applied = Applied(state, step, period, now, process, kind, undo);
        return applied.WithStep(step.Id, applied.Step(step.Id) with { Unconfirmed = true });
    }

    /// <param name="state">The state before <see cref="Starting"/>: a failed run is no run.</param>
    public static MonitorState Failed(MonitorState state, EnforcementStep step, BillingPeriod period, DateTimeOffset? now = null)
    {
        var record = state.Step(step.Id).In(period.Start);
        return state.WithStep(step.Id, record with { Failures = record.Failures + 1, LastFailureAt = now ?? record.LastFailureAt });
    }

    public static MonitorState Reverted(MonitorState state, EnforcementStep step, BillingPeriod period, DateTimeOffset? now = null) =>
        state.WithStep(step.Id, state.Step(step.Id).In(period.Start) with { InForce = false, Unconfirmed = false, RevertedAt = now });

    /// <summary>A removed rule's record, once undone: nothing of it is left to remember.</summary>
    public static MonitorState Forgotten(MonitorState state, string id) =>
        state with { Steps = state.Steps.Where(s => s.Key != id).ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal) };

    private static StepDecision Decide(EnforcementStep step, StepRecord saved, bool held, EnforcementInputs inputs) =>
        step.Revertible ? DecideRevertible(step, saved, held, inputs) : DecideOnce(step, saved, held, inputs);

    private static StepDecision DecideRevertible(EnforcementStep step, StepRecord saved, bool held, EnforcementInputs inputs)
    {
        var period = inputs.Period.Start;
        if (saved.InForce)
        {
            if (saved.LastRunPeriod < period)
            {
                return new StepDecision(step, StepVerdict.Revert, Reason: RevertReason.NewPeriod);
            }

            // The clock moved back into an earlier period: leave things as the latest period decided.
            if (saved.LastRunPeriod > period)
            {
                return new StepDecision(step, StepVerdict.AlreadyApplied);
            }

            if (held)
            {
                return new StepDecision(step, StepVerdict.Revert, Reason: RevertReason.Paused);
            }

            if (inputs.CountedBytes < step.AtBytes)
            {
                return new StepDecision(step, StepVerdict.Revert, Reason: RevertReason.BelowPoint);
            }

            // The kernel forgets firewall rules and qdiscs at a reboot; a monitor that died while applying cannot know
            // how far it got. Steps are idempotent, so applying again is always safe.
            var lostInReboot = saved.RunBy != inputs.Process && inputs.BootedAt is { } booted && saved.LastRunAt < booted;
            var interrupted = saved.Unconfirmed && saved.RunBy != inputs.Process;
            return new StepDecision(step, lostInReboot || interrupted ? StepVerdict.Reapply : StepVerdict.AlreadyApplied);
        }

        if (inputs.CountedBytes < step.AtBytes || saved.LastRunPeriod > period)
        {
            return new StepDecision(step, StepVerdict.None);
        }

        if (held)
        {
            return new StepDecision(step, StepVerdict.Held);
        }

        return WaitingToRetry(step, saved, inputs) ? new StepDecision(step, StepVerdict.None) : new StepDecision(step, StepVerdict.Apply);
    }

    private static StepDecision DecideOnce(EnforcementStep step, StepRecord saved, bool held, EnforcementInputs inputs)
    {
        var (period, now, process) = (inputs.Period, inputs.Now, inputs.Process);
        if (inputs.CountedBytes < step.AtBytes)
        {
            return new StepDecision(step, StepVerdict.None);
        }

        var ranThisPeriod = saved.LastRunAt is not null && saved.RanIn(period.Start);
        if (ranThisPeriod && (step.OncePerPeriod || saved.RunBy == process))
        {
            return new StepDecision(step, StepVerdict.AlreadyApplied);
        }

        if (held)
        {
            return new StepDecision(step, StepVerdict.Held);
        }

        if (WaitingToRetry(step, saved, inputs))
        {
            return new StepDecision(step, StepVerdict.None);
        }

        if (saved.LastRunAt is not null && saved.RunBy == process)
        {
            return new StepDecision(step, StepVerdict.Apply);
        }

        // An earlier process ran it, in this period or just before a new one started: a restart (often a reboot
        // caused by the step itself) waits boot_grace since that run, whatever the period.
        var historyUnknownSince = inputs.HistoryUnknownSince;
        var unknown = historyUnknownSince > saved.LastRunAt || (historyUnknownSince is not null && saved.LastRunAt is null);
        if ((unknown ? historyUnknownSince : saved.LastRunAt) is not { } lastRun)
        {
            return new StepDecision(step, StepVerdict.Apply);
        }

        var allowedAt = lastRun + step.BootGrace;
        return now >= allowedAt ? new StepDecision(step, StepVerdict.Apply) : new StepDecision(step, StepVerdict.DeferredAfterRestart, allowedAt, unknown);
    }

    private static bool WaitingToRetry(EnforcementStep step, StepRecord saved, EnforcementInputs inputs) =>
        step.RetryAfter > TimeSpan.Zero && saved.Failures > 0 && saved.Period == inputs.Period.Start
        && saved.LastFailureAt is { } failed && inputs.Now < failed + step.RetryAfter;
}
