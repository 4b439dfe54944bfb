using System.Globalization;
using System.Text.RegularExpressions;

namespace TrafficMonitor.Enforcement.Linux;

/// <summary>
/// What <c>block</c> and <c>quota</c> always let through, so the admin keeps a way in and the monitor keeps its voice.
/// </summary>
/// <param name="SshPorts">TCP ports kept open both ways (<c>allow_ports</c>): to this host, from it, and forwarded.</param>
/// <param name="Users">Users (uids or names) whose sockets may open connections (<c>meta skuid</c>).</param>
/// <param name="Groups">Groups (gids or names) whose sockets may open connections (<c>meta skgid</c>).</param>
/// <remarks>
/// With neither users nor groups set, <see cref="For"/> lets the monitor's own traffic out, so its alerts get out:
/// by its group when it runs with one of its own (root with <c>Group=traffic-monitor</c> keeps every privilege and is
/// matched precisely), else by its user (for root: every root process, which check-config warns about).
/// </remarks>
public sealed partial record AllowedTraffic(IReadOnlyList<int> SshPorts, IReadOnlyList<string> Users, IReadOnlyList<string>? Groups = null)
{
    public const int DefaultSshPort = 22;

    public static AllowedTraffic Default { get; } = new([DefaultSshPort], []);

    /// <summary>Neither users nor groups are set: the monitor's own traffic is let out, by its group or its user.</summary>
    public bool LetsOwnTrafficOut => Users.Count == 0 && Groups is null or [];

    /// <summary>The traffic allowed for a monitor running as <paramref name="own"/>: its own, unless users or groups are set.</summary>
    public AllowedTraffic For(ProcessCredentials own) =>
        !LetsOwnTrafficOut ? this
        : own.Gid != ProcessCredentials.Root ? this with { Groups = [own.Gid] }
        : this with { Users = [own.Uid] };

    /// <summary>Why the default lets more out than the monitor's own traffic past <paramref name="step"/> ("the block"), or null when it does not.</summary>
    public string? Warning(ProcessCredentials own, string step) =>
        For(own) is { Users: [ProcessCredentials.Root], Groups: null or [] }
            ? $"the monitor runs as root in group root, so every root process's traffic passes {step}: run it with a group of its own (systemd: Group=traffic-monitor, as the packaged unit and install-service do), or set allow_users / allow_groups"
            : null;

    /// <summary>Whether a name can go into a ruleset as a user: a number, or a login name (no quotes, spaces or braces).</summary>
    public static bool IsUser(string user) => UserPattern().IsMatch(user);

    public static bool IsPort(int port) => port is > 0 and <= 65535;

    /// <summary>The rules of each base chain that come before its drop. Pure: the same input gives the same text.</summary>
    /// <remarks>
    /// Protocols are nft's own keywords (<c>icmpv6</c>, not <c>ipv6-icmp</c>): nft looks any other name up in
    /// /etc/protocols, which a minimal system (a container, debootstrap's minbase: no netbase) does not have, and
    /// there the whole table was refused ("Could not resolve protocol name") under the packaged unit.
    /// </remarks>
    internal IEnumerable<string> InputRules()
    {
        yield return "iif \"lo\" accept";
        yield return $"tcp dport {Set(SshPorts)} accept";
        // Replies to what this host sent: output lets out only what is allowed, so only its replies come back
        // (and those of connections open before the step, whose own packets output drops).
        yield return "ct direction reply accept";
        yield return "ct state related meta l4proto { icmp, icmpv6 } accept";
        yield return "udp sport 67 udp dport 68 accept";
        yield return "udp sport 547 udp dport 546 accept";
        yield return "icmpv6 type { nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert, nd-redirect, mld-listener-query } accept";
    }

    internal IEnumerable<string> OutputRules()
    {
        yield return "oif \"lo\" accept";
        yield return $"tcp sport {Set(SshPorts)} ct direction reply accept";
        yield return $"tcp dport {Set(SshPorts)} accept";
        if (Users.Count > 0)
        {
            yield return $"meta skuid {Set(Users)} accept";
        }

        if (Groups is { Count: > 0 })
        {
            yield return $"meta skgid {Set(Groups)} accept";
        }

        yield return "udp sport 68 udp dport 67 accept";
        yield return "udp sport 546 udp dport 547 accept";
        yield return "meta l4proto { tcp, udp } th dport 53 accept";
        yield return "icmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert, mld-listener-report, mld2-listener-report } accept";
        yield return "ct state related meta l4proto { icmp, icmpv6 } accept";
    }

    internal IEnumerable<string> ForwardRules()
    {
        yield return $"tcp dport {Set(SshPorts)} accept";
        yield return $"tcp sport {Set(SshPorts)} ct direction reply accept";
        yield return "ct state related meta l4proto { icmp, icmpv6 } accept";
    }

    private static string Set(IEnumerable<int> ports) => Set(ports.Select(p => p.ToString(CultureInfo.InvariantCulture)));

    private static string Set(IEnumerable<string> items) => $"{{ {string.Join(", ", items.Distinct(StringComparer.Ordinal))} }}";

    [GeneratedRegex("^([0-9]{1,10}|[a-z_][a-z0-9_-]{0,30}[$]?)$")]
    private static partial Regex UserPattern();
}

/// <summary>Reads <c>allow_ports</c>, <c>allow_users</c> and <c>allow_groups</c> of a <c>block</c> or <c>quota</c> rule (<c>allow_ports</c> of a <c>throttle</c> too).</summary>
internal static class AllowedTrafficSection
{
    public const string PortsKey = "allow_ports";
    public const string UsersKey = "allow_users";
    public const string GroupsKey = "allow_groups";

    /// <summary>The keys as check-config prints them.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Describe(AllowedTraffic allowed)
    {
        yield return new(PortsKey, $"[{string.Join(", ", allowed.SshPorts)}]");
        yield return new(UsersKey, allowed.Users.Count > 0 ? $"[{string.Join(", ", allowed.Users)}]" : "(none: the monitor's own traffic)");
        if (allowed.Groups is { Count: > 0 } groups)
        {
            yield return new(GroupsKey, $"[{string.Join(", ", groups)}]");
        }
    }

    public static AllowedTraffic Read(Configuration.Yaml.SectionReader rule)
    {
        var ports = Ports(rule, "would lock SSH out too");
        var users = Names(rule, UsersKey, "user", "a login name (e.g. traffic-monitor) or a uid (e.g. 998)");
        var groups = Names(rule, GroupsKey, "group", "a group name (e.g. traffic-monitor) or a gid (e.g. 998)");
        return new AllowedTraffic(ports, users, groups);
    }

    /// <summary><c>allow_ports</c>: the SSH ports (default [22]); <paramref name="ifEmpty"/> says what an empty list would do.</summary>
    public static IReadOnlyList<int> Ports(Configuration.Yaml.SectionReader rule, string ifEmpty)
    {
        var portTexts = rule.StringList(PortsKey);
        var ports = new List<int>();
        for (var i = 0; i < (portTexts?.Count ?? 0); i++)
        {
            var text = portTexts![i].Trim();
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && AllowedTraffic.IsPort(port))
            {
                ports.Add(port);
            }
            else
            {
                rule.Problem($"{PortsKey}[{i}]", $"{Configuration.Quoted.Value(text)} is not a TCP port: use a number from 1 to 65535, e.g. 22");
            }
        }

        if (portTexts is [])
        {
            rule.Problem(PortsKey, $"is an empty list, which {ifEmpty}: list the SSH port (e.g. [22]), or remove the key for the default [22]");
        }

        return portTexts is null or [] ? [AllowedTraffic.DefaultSshPort] : ports;
    }

    private static List<string> Names(Configuration.Yaml.SectionReader rule, string key, string what, string example)
    {
        var names = rule.StringList(key) ?? [];
        for (var i = 0; i < names.Count; i++)
        {
            if (!AllowedTraffic.IsUser(names[i].Trim()))
            {
                rule.Problem($"{key}[{i}]", $"{Configuration.Quoted.Value(names[i])} is not a {what}: write {example}");
            }
        }

        return names.Select(n => n.Trim()).Where(AllowedTraffic.IsUser).ToList();
    }
}
