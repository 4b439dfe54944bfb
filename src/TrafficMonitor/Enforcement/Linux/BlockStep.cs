using TrafficMonitor.Configuration.Yaml;
using TrafficMonitor.Quota;

namespace TrafficMonitor.Enforcement.Linux;

/// <summary>The options of a <c>do: block</c> rule.</summary>
public sealed record BlockOptions(AllowedTraffic Allowed)
{
    public static BlockOptions Default { get; } = new(AllowedTraffic.Default);

    /// <summary>
    /// Reads the block keys of one <c>actions.rules[i]</c> item. The caller reads <c>at</c> and <c>do</c> from the
    /// same reader and reports its unknown keys afterwards, so a typo next to these keys is still caught.
    /// </summary>
    internal static BlockOptions Read(SectionReader rule) => new(AllowedTrafficSection.Read(rule));
}

/// <summary>
/// Blocks all traffic but SSH, DHCP, neighbour discovery, DNS and the monitor's own, in a table of its own
/// (<c>table inet traffic_monitor</c>). Its base chains accept by policy and hold only explicit drops, so it coexists
/// with ufw, firewalld and Docker: a drop here is final everywhere, while whatever it lets through is still up to them.
/// </summary>
/// <param name="own">Whom the monitor runs as (<see cref="ProcessCredentials.Current"/>): allowed out unless <c>allow_users</c> or <c>allow_groups</c> say otherwise.</param>
public sealed class BlockStep(EnforcementStep plan, BlockOptions options, Nft nft, ProcessCredentials own) : IEnforcementStep, IVerifiableStep
{
    public const string Kind = "block";
    public const string Table = "traffic_monitor";

    private static readonly string[] Hooks = ["input", "output", "forward"];

    public string Id => plan.Id;

    public bool Enabled => true;

    public EnforcementStep Plan => plan with { Revertible = true };

    public string Description =>
        $"all traffic but SSH (port {string.Join(", ", options.Allowed.SshPorts)}), DHCP, DNS and the monitor's own is blocked";

    public IReadOnlyList<string> Command => nft.Command("-f", "-");

    public string Ruleset => Build(options.Allowed, own);

    /// <summary>The whole transaction <c>nft -f -</c> loads. Pure.</summary>
    public static string Build(AllowedTraffic allowed, ProcessCredentials own)
    {
        var body = Body(allowed.For(own));
        return NftRuleset.Replace(Table, Comment(body), body);
    }

    public Task<StepResult> ApplyAsync(CancellationToken cancellationToken) => nft.LoadAsync(Ruleset, cancellationToken);

    /// <summary>Deletes the table, and only it; succeeds when it is already gone.</summary>
    public Task<StepResult> RevertAsync(CancellationToken cancellationToken) => nft.LoadAsync(NftRuleset.Delete(Table), cancellationToken);

    // The ladder's side of the step (IEnforcementStep): what it is told does not change what it installs.
    string IEnforcementStep.Kind => Kind;

    Task<StepResult> IEnforcementStep.ApplyAsync(StepContext context, CancellationToken cancellationToken) => ApplyAsync(cancellationToken);

    Task<StepResult> IEnforcementStep.RevertAsync(StepContext context, CancellationToken cancellationToken) => RevertAsync(cancellationToken);

    /// <summary>While in force, at every check: the table is still there (a firewall reload removes it), else it is put back.</summary>
    Task<StepResult> IEnforcementStep.EnsureAsync(StepContext context, CancellationToken cancellationToken) => this.EnsureAsync(cancellationToken);

    public async Task<StepVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        string? listed;
        try
        {
            listed = await nft.ListTableAsync(NftRuleset.Family, Table, cancellationToken).ConfigureAwait(false);
        }
        catch (NftException e)
        {
            return new StepVerification(VerifyStatus.Failed, $"cannot read table {NftRuleset.Family} {Table}: {e.Message}");
        }

        var ruleset = Ruleset;
        var body = Body(options.Allowed.For(own));
        var found = listed is null ? "was gone (a firewall reload or 'nft flush ruleset' removes it)"
            : !IsIntact(listed, Comment(body)) ? "was changed by someone else"
            : null;
        if (found is null)
        {
            return StepVerification.Intact;
        }

        var result = await nft.LoadAsync(ruleset, cancellationToken).ConfigureAwait(false);
        return result.Succeeded
            ? new StepVerification(VerifyStatus.Repaired, $"the block (table {NftRuleset.Family} {Table}) {found}: put it back")
            : new StepVerification(VerifyStatus.Failed, $"the block (table {NftRuleset.Family} {Table}) {found}, and putting it back failed: {result.Error}");
    }

    /// <summary>Our comment (settings unchanged), and each base chain still ends with its drop.</summary>
    internal static bool IsIntact(string listed, string comment) =>
        listed.Contains($"comment \"{comment}\"", StringComparison.Ordinal)
        && Hooks.All(hook => ChainEndsWithDrop(listed, hook));

    private static bool ChainEndsWithDrop(string listed, string hook)
    {
        var start = listed.IndexOf($"chain {hook} {{", StringComparison.Ordinal);
        if (start < 0)
        {
            return false;
        }

        // The chain's closing brace is on a line of its own; sets inside rules ({ 22 }) stay on the rule's line.
        var end = listed.IndexOf("\n\t}", start, StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        var lines = listed[start..end].Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length > 0 && lines[^1].EndsWith(" drop", StringComparison.Ordinal);
    }

    private static string Comment(IReadOnlyList<string> body) =>
        $"traffic-monitor: block all but SSH; traffic-monitor revert-all removes it; {NftRuleset.Fingerprint(body)}";

    private static List<string> Body(AllowedTraffic allowed) =>
    [
        .. NftRuleset.BaseChain("input", allowed.InputRules(), "counter drop"),
        "",
        .. NftRuleset.BaseChain("output", allowed.OutputRules(), "counter drop"),
        "",
        .. NftRuleset.BaseChain("forward", allowed.ForwardRules(), "counter drop"),
    ];
}
