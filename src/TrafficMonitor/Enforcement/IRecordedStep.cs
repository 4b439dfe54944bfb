namespace TrafficMonitor.Enforcement;

/// <summary>
/// A step that learns only when it is applied what undoing it needs (the qdisc a throttle replaced), and keeps that
/// in its record (<see cref="IEnforcementStep.UndoRecord"/>). The enforcer hands the record back before it checks or
/// undoes the step, so a monitor restarted while the step is in force still undoes it as it was applied.
/// </summary>
public interface IRecordedStep
{
    /// <summary>Takes what the record says; what this process applied itself is newer and stays.</summary>
    void Recall(IReadOnlyList<string> undoRecord);
}
