using TrafficMonitor.Quota;

namespace TrafficMonitor.Enforcement;

/// <summary>The record of a removed rule whose kind leaves nothing in force (a shutdown): undoing it succeeds at once.</summary>
internal sealed class NothingToUndo(string id, string kind) : IEnforcementStep
{
    public string Id => id;

    public string Kind => kind;

    public bool Enabled => true;

    public string Description => $"{kind} (no longer in the settings)";

    public IReadOnlyList<string> Command => [];

    public EnforcementStep Plan => new(id, long.MaxValue, TimeSpan.Zero, Revertible: true);

    public Task<StepResult> ApplyAsync(StepContext context, CancellationToken cancellationToken) =>
        throw new NotSupportedException("A removed rule is only ever undone.");

    public Task<StepResult> RevertAsync(StepContext context, CancellationToken cancellationToken) => Task.FromResult(StepResult.Success);
}
