using TrafficMonitor.Configuration;
using TrafficMonitor.Configuration.Yaml;
using TrafficMonitor.Quota;

namespace TrafficMonitor.Enforcement.Linux;

/// <summary>The options of a <c>do: block</c> rule.</summary>
public sealed record BlockOptions(AllowedTraffic Allowed) : IStepOptions
{
    public static BlockOptions Default { get; } = new(AllowedTraffic.Default);

    public bool Revertible => true;

    public IEnumerable<KeyValuePair<string, string>> Describe() => AllowedTrafficSection.Describe(Allowed);

    /// <summary>
    /// Reads the block keys of one <c>actions.rules[i]</c> item; null when they are unusable (the problems say why).
    /// The caller reads <c>at</c> and <c>do</c> from the same reader and reports its unknown keys afterwards, so a
    /// typo next to these keys is still caught.
    /// </summary>
    internal static BlockOptions? Read(SectionReader rule, StepReadContext context)
    {
        var problems = rule.ProblemCount;
        var allowed = AllowedTrafficSection.Read(rule);
        return rule.ProblemCount > problems ? null : new BlockOptions(allowed);
    }
}

/// <summary>
/// Blocks all traffic but SSH, DHCP, neighbour discovery, DNS and the monitor's own, in a table of its own
/// (<c>table inet traffic_monitor</c>). Its base chains accept by policy and hold only explicit drops, so it coexists
/// with ufw, firewalld and Docker: a drop here is final everywhere, while whatever it lets through is still up to them.
/// </summary>
/// <param name="own">Whom the monitor runs as (<see cref="ProcessCredentials.Current"/>): allowed out unless <c>allow_users</c> or <c>allow_groups</c> say otherwise.</param>
public sealed class BlockStep(EnforcementStep plan, BlockOptions options, Nft nft, ProcessCredentials own) : NftStep(plan, nft, TableName)
{
    public const string KindName = "block";
    public const string TableName = "traffic_monitor";

    private static readonly string[] Hooks = ["input", "output", "forward"];

    public override string Kind => KindName;

    public override string Description =>
        $"all traffic but SSH (port {string.Join(", ", options.Allowed.SshPorts)}), DHCP, DNS and the monitor's own is blocked";

    public string Ruleset => Build(options.Allowed, own);

    /// <summary>The whole transaction <c>nft -f -</c> loads. Pure.</summary>
    public static string Build(AllowedTraffic allowed, ProcessCredentials own)
    {
        var body = Body(allowed.For(own));
        return NftRuleset.Replace(TableName, Comment(body), body);
    }

    internal static IEnforcementStep Create(RuleOptions rule, IServiceProvider services) =>
        new BlockStep(NftSteps.Plan(rule.Id, rule.AtBytes), (BlockOptions)rule.Options, NftSteps.Nft(services), ProcessCredentials.Current());

    public override Task<StepResult> ApplyAsync(CancellationToken cancellationToken) => Nft.LoadAsync(Ruleset, cancellationToken);

    public override async Task<StepVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        string? listed;
        try
        {
            listed = await Nft.ListTableAsync(NftRuleset.Family, Table, cancellationToken).ConfigureAwait(false);
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

        var result = await Nft.LoadAsync(ruleset, cancellationToken).ConfigureAwait(false);
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
