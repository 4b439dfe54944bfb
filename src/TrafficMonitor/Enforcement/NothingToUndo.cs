using TrafficMonitor.Quota;

namespace TrafficMonitor.Enforcement;

/// <summary>
/// The record of a removed rule whose kind leaves nothing in force (a shutdown): undoing it succeeds at once. With
/// <paramref name="cannotUndo"/> the record's kind is not in this build: undoing fails with that reason, so a step
/// left by another build is reported, never forgotten as if undone.
/// </summary>
internal sealed class NothingToUndo(string id, string kind, string? cannotUndo = null) : IEnforcementStep
{
    public string Id => id;

    public string Kind => kind;

    public bool Enabled => true;

    public string Description => $"{kind} (no longer in the settings)";

    public IReadOnlyList<string> Command => [];

    public EnforcementStep Plan => new(id, long.MaxValue, TimeSpan.Zero, Revertible: true);

    public Task<StepResult> ApplyAsync(StepContext context, CancellationToken cancellationToken) =>
        throw new NotSupportedException("A removed rule is only ever undone.");

    public Task<StepResult> RevertAsync(StepContext context, CancellationToken cancellationToken) =>
        Task.FromResult(cannotUndo is null ? StepResult.Success : StepResult.Failure(cannotUndo));
}
