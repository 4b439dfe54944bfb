using TrafficMonitor.Quota;

namespace TrafficMonitor.Enforcement;

/// <param name="Repaired">Set by <see cref="IEnforcementStep.EnsureAsync"/> when the step had to be put back (a firewall reload removed it): what was done, for the log.</param>
public sealed record StepResult(bool Succeeded, string? Error, string? Repaired = null)
{
    public static StepResult Success { get; } = new(true, null);

    public static StepResult Failure(string error) => new(false, error);
}

/// <summary>Why a step is asked to act, as a command step's <c>TRAFFIC_MONITOR_EVENT</c> tells it.</summary>
public enum StepEvent
{
    /// <summary>Usage reached the step's point.</summary>
    Apply,

    /// <summary>The step was in force before a reboot, which lost it, and should still hold.</summary>
    Reapply,

    /// <summary>Undone: a new period, a pause, the rule removed, usage below its point, or revert-all.</summary>
    Revert,
}

/// <summary>What a step is told when it acts.</summary>
/// <param name="Snapshot">The check's numbers; null when acting without a usage reading (revert-all with no daemon).</param>
public sealed record StepContext(StepEvent Event, string StepId, QuotaSnapshot? Snapshot);

/// <summary>
/// One way of enforcing the quota: the shutdown at the critical point, and each rule of the ladder
/// (<c>actions.rules</c>). The policy decides when (<see cref="EnforcementPolicy"/>); a step only does it, and must be
/// idempotent: applying twice leaves one rule, undoing what is not there succeeds.
/// </summary>
public interface IEnforcementStep
{
    /// <summary>Names the step in the state file and in status; never changes once released.</summary>
    string Id { get; }

    /// <summary>The rule's <c>do</c> (command, shutdown, block, …): how a removed rule's record is undone.</summary>
    string Kind => Id;

    bool Enabled { get; }

    /// <summary>How the step reads in messages: "the server shuts down in 1 min".</summary>
    string Description { get; }

    /// <summary>What it runs, for the log and status.</summary>
    IReadOnlyList<string> Command { get; }

    /// <summary>The policy's view of the step; only enabled steps are evaluated.</summary>
    EnforcementStep Plan { get; }

    /// <summary>
    /// For a step applied ahead of the point where it acts (a kernel quota, armed before it stops traffic): that
    /// point, which status shows and the fast checks aim at. Null: the step acts where it is applied.
    /// </summary>
    long? StopsAtBytes => null;

    /// <summary>
    /// Kept in the step's record when it is applied: what undoes it once its rule is gone from the settings (a command
    /// step's <c>undo</c>), handed back to the kind's <see cref="RecordReverter"/>.
    /// </summary>
    IReadOnlyList<string> UndoRecord => [];

    Task<StepResult> ApplyAsync(StepContext context, CancellationToken cancellationToken);

    /// <summary>Undoes the step; called only for steps whose <see cref="EnforcementStep.Revertible"/> is true.</summary>
    Task<StepResult> RevertAsync(StepContext context, CancellationToken cancellationToken);

    /// <summary>
    /// At every check while the step is in force: makes sure it still is (a firewall reload may have removed it; a
    /// kernel quota is resized from the interface counters). Succeeds doing nothing by default.
    /// </summary>
    Task<StepResult> EnsureAsync(StepContext context, CancellationToken cancellationToken) => Task.FromResult(StepResult.Success);
}
