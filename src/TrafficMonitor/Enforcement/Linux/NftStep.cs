using Microsoft.Extensions.DependencyInjection;
using TrafficMonitor.Platform;
using TrafficMonitor.Quota;

namespace TrafficMonitor.Enforcement.Linux;

/// <summary>
/// An nftables step of the ladder (<c>block</c>, <c>quota</c>): a table of its own, loaded atomically with
/// <c>nft -f -</c>, deleted whole when undone, and checked at every check while in force because a firewall reload
/// (<c>nft flush ruleset</c>) can remove it. What the ladder tells the step (why it acts, the check's numbers) does
/// not change what it installs.
/// </summary>
public abstract class NftStep(EnforcementStep plan, Nft nft, string table) : IEnforcementStep, IVerifiableStep
{
    /// <summary>A failed nft load is tried again no sooner than this, however fast checks come near a threshold.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(10);

    public string Id => plan.Id;

    public abstract string Kind { get; }

    public bool Enabled => true;

    /// <summary>In force until undone: at a new period, a pause, or when the rule leaves the settings; applied again after a reboot.</summary>
    public EnforcementStep Plan => plan with { Revertible = true };

    public abstract string Description { get; }

    public virtual long? StopsAtBytes => null;

    public IReadOnlyList<string> Command => Nft.Command("-f", "-");

    public string Table => table;

    /// <summary>Runs nft (with the prefix tests give it to stay in their namespace).</summary>
    protected Nft Nft { get; } = nft;

    public abstract Task<StepResult> ApplyAsync(CancellationToken cancellationToken);

    /// <summary>Deletes the table, and only it; succeeds when it is already gone.</summary>
    public Task<StepResult> RevertAsync(CancellationToken cancellationToken) => Nft.LoadAsync(NftRuleset.Delete(table), cancellationToken);

    public abstract Task<StepVerification> VerifyAsync(CancellationToken cancellationToken);

    Task<StepResult> IEnforcementStep.ApplyAsync(StepContext context, CancellationToken cancellationToken) => ApplyAsync(cancellationToken);

    Task<StepResult> IEnforcementStep.RevertAsync(StepContext context, CancellationToken cancellationToken) => RevertAsync(cancellationToken);

    /// <summary>While in force, at every check: the table is still there, else it is put back (<see cref="VerifyAsync"/>).</summary>
    public virtual Task<StepResult> EnsureAsync(StepContext context, CancellationToken cancellationToken) => StepVerificationResults.EnsureAsync(this, cancellationToken);
}

/// <summary>A removed rule's nftables step, built from its record: it is only ever undone, by deleting its table.</summary>
internal sealed class RemovedNftStep(string id, string kind, string table, Nft nft) : NftStep(EnforcementStep.Removed(id), nft, table)
{
    public override string Kind => kind;

    public override string Description => $"{kind} (no longer in the settings)";

    public override Task<StepResult> ApplyAsync(CancellationToken cancellationToken) =>
        throw new NotSupportedException("A removed rule is only ever undone.");

    public override Task<StepVerification> VerifyAsync(CancellationToken cancellationToken) => Task.FromResult(StepVerification.Intact);
}

/// <summary>What the nftables kinds share when they are built for the ladder (<see cref="StepKinds"/>).</summary>
internal static class NftSteps
{
    /// <summary>The plan of a rule's nftables step, applied at <paramref name="at"/>.</summary>
    public static EnforcementStep Plan(string id, long at) => new(id, at, TimeSpan.Zero, Revertible: true) { RetryAfter = NftStep.RetryAfter };

    public static Nft Nft(IServiceProvider services) => new(services.GetRequiredService<IProcessRunner>());

    /// <summary>How a removed rule of a kind whose table is <paramref name="table"/> is undone after a restart: its table is deleted.</summary>
    public static RecordReverter ForRecord(string kind, string table) =>
        (id, record, services) => new RemovedNftStep(id, kind, table, Nft(services));
}
