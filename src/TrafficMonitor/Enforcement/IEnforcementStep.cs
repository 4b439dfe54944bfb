using TrafficMonitor.Quota;

namespace TrafficMonitor.Enforcement;

public sealed record StepResult(bool Succeeded, string? Error)
{
    public static StepResult Success { get; } = new(true, null);
}

/// <summary>
/// One way of enforcing the quota (today: the shutdown at the critical point). The policy decides when
/// (<see cref="EnforcementPolicy"/>); a step only does it.
/// </summary>
public interface IEnforcementStep
{
    /// <summary>Names the step in the state file and in status; never changes once released.</summary>
    string Id { get; }

    bool Enabled { get; }

    /// <summary>How the step reads in messages: "the server shuts down in 1 min".</summary>
    string Description { get; }

    /// <summary>What it runs, for the log and status.</summary>
    IReadOnlyList<string> Command { get; }

    /// <summary>The policy's view of the step; only enabled steps are evaluated.</summary>
    EnforcementStep Plan { get; }

    Task<StepResult> ApplyAsync(CancellationToken cancellationToken);

    /// <summary>Undoes the step; called only for steps whose <see cref="EnforcementStep.Revertible"/> is true.</summary>
    Task<StepResult> RevertAsync(CancellationToken cancellationToken);
}
