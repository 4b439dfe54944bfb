namespace TrafficMonitor.Enforcement;

public enum VerifyStatus
{
    /// <summary>What the step installed is still there, as installed.</summary>
    Intact,

    /// <summary>It was gone or changed (a firewall reload, <c>nft flush ruleset</c>) and is put back.</summary>
    Repaired,

    /// <summary>It was gone or changed and could not be put back: <see cref="StepVerification.Detail"/> says why.</summary>
    Failed,
}

/// <param name="Detail">What was found and done, in words for the log and the notification.</param>
public sealed record StepVerification(VerifyStatus Status, string? Detail = null)
{
    public static StepVerification Intact { get; } = new(VerifyStatus.Intact);
}

/// <summary>
/// A step whose effect lives in the kernel, where someone else can remove it (a firewall reload flushes every table).
/// The enforcer calls <see cref="VerifyAsync"/> at start and at every check while the step is applied.
/// </summary>
public interface IVerifiableStep
{
    /// <summary>Checks the step is in force and re-applies it when it is not; never throws for an OS failure.</summary>
    Task<StepVerification> VerifyAsync(CancellationToken cancellationToken);
}

/// <summary>How a verifiable step answers the ladder's check that a step in force still is (<see cref="IEnforcementStep.EnsureAsync"/>).</summary>
public static class StepVerificationResults
{
    public static async Task<StepResult> EnsureAsync(this IVerifiableStep step, CancellationToken cancellationToken)
    {
        var verification = await step.VerifyAsync(cancellationToken).ConfigureAwait(false);
        return verification.Status switch
        {
            VerifyStatus.Intact => StepResult.Success,
            VerifyStatus.Repaired => new StepResult(true, null, verification.Detail ?? "put back"),
            _ => StepResult.Failure(verification.Detail ?? "the step's effect could not be checked"),
        };
    }
}
