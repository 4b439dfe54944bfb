using System.Globalization;
using System.Text.Json;

namespace TrafficMonitor.Enforcement.Linux;

/// <summary>One qdisc as <c>tc -j qdisc show</c> lists it.</summary>
/// <param name="Options">Its <c>options</c> object as raw JSON values ("125000", "true"), by key.</param>
public sealed record Qdisc(string Kind, string Handle, string? Parent, bool Root, IReadOnlyDictionary<string, string> Options)
{
    /// <summary>Created by the kernel (handle 0:): the default a device gets back when its root qdisc is deleted.</summary>
    public bool IsKernelDefault => Handle == "0:";

    public bool IsIngress => Kind is "ingress" or "clsact";

    public override string ToString() => $"{Kind} {Handle}";
}

/// <summary>What the root qdisc before the throttle was, and how it is put back.</summary>
/// <param name="Arguments">After <c>tc qdisc replace dev X root</c>: the qdisc as it was ("handle 1: tbf rate …"); null: the kernel's default, which comes back when ours is deleted.</param>
public sealed record PreviousRoot(IReadOnlyList<string>? Arguments)
{
    public static PreviousRoot KernelDefault { get; } = new((IReadOnlyList<string>?)null);

    public override string ToString() => Arguments is null ? "the kernel's default" : string.Join(' ', Arguments);
}

/// <summary>
/// One interface the throttle holds, as its record keeps it: what undoes it after a restart or once its rule is gone.
/// </summary>
/// <param name="OwnIngress">Whether the ingress qdisc is ours (created by the throttle) rather than one we added a filter to.</param>
public sealed record ThrottledInterface(string Name, string Ifb, bool OwnIngress, PreviousRoot Previous)
{
    private const string Default = "default";

    /// <summary>One line of the step's record: <c>eth0 ifb=ifbtm-eth0 ingress=ours restore=handle 1: tbf rate 125000bps …</c>.</summary>
    public string Format() =>
        $"{Name} ifb={Ifb} ingress={(OwnIngress ? "ours" : "kept")} restore={(Previous.Arguments is { } a ? string.Join(' ', a) : Default)}";

    /// <summary>A line <see cref="Format"/> wrote; null for anything else (a record from another version).</summary>
    public static ThrottledInterface? Parse(string line)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words is not [var name, var ifb, var ingress, var restore, .. var rest]
            || !ifb.StartsWith("ifb=", StringComparison.Ordinal) || ingress is not ("ingress=ours" or "ingress=kept")
            || !restore.StartsWith("restore=", StringComparison.Ordinal))
        {
            return null;
        }

        var first = restore["restore=".Length..];
        var previous = first == Default && rest.Length == 0 ? PreviousRoot.KernelDefault : new PreviousRoot([first, .. rest]);
        return new ThrottledInterface(name, ifb["ifb=".Length..], ingress == "ingress=ours", previous);
    }
}

/// <summary>
/// What the throttle installs with tc, and how it reads what is there. Pure: text in, text out, unit-tested as such.
/// </summary>
/// <remarks>
/// Egress: an HTB root qdisc with our handle (<see cref="Handle"/>), its default class at the rate and, with SSH kept,
/// a class at line rate that u32 filters send TCP port 22 to (IPv4 and IPv6, either direction). Ingress: an ingress
/// qdisc whose one filter (at <see cref="IngressPref"/>) redirects every packet to an ifb device of ours, which has the
/// same HTB setup: what arrives is shaped as it leaves the ifb.
/// </remarks>
public static class ThrottleQdiscs
{
    /// <summary>Our root qdisc's handle on the interface and on the ifb: 7a3e is no number tc hands out by itself (8001: up).</summary>
    public const string Handle = "7a3e:";
    public const string UnthrottledClass = "7a3e:10";
    public const string ThrottledClass = "7a3e:20";

    /// <summary>Our redirect's preference in the ingress qdisc: late, so an admin's own ingress filters go first.</summary>
    public const int IngressPref = 49152;

    /// <summary>The rate of the unthrottled class: more than any link it shares with the throttled one.</summary>
    public const long LineRateBitsPerSecond = 100_000_000_000;

    /// <summary>Set on our ifb device (ip link alias): how a device is known to be ours before it is deleted.</summary>
    public const string IfbAliasPrefix = "traffic-monitor throttle of ";

    private const int MaxDeviceName = 15;
    private const string IfbPrefix = "ifbtm-";

    /// <summary>
    /// The ifb device of an interface: <c>ifbtm-eth0</c>; a long name is cut and given a hash, to stay within the
    /// kernel's 15 characters and apart from another long name. Starts with "ifb", so usage never counts it, and is
    /// never a plain ifbN (those the ifb module creates at load belong to whoever uses them).
    /// </summary>
    public static string IfbName(string device)
    {
        var name = IfbPrefix + device;
        if (name.Length <= MaxDeviceName)
        {
            return name;
        }

        var hash = 2166136261u;
        foreach (var c in device)
        {
            hash = (hash ^ c) * 16777619u;
        }

        var suffix = (hash & 0xffff).ToString("x4", CultureInfo.InvariantCulture);
        return IfbPrefix + device[..(MaxDeviceName - IfbPrefix.Length - suffix.Length)] + suffix;
    }

    public static string IfbAlias(string device) => IfbAliasPrefix + device;

    /// <summary>Whether <c>ip -j -d link show</c>'s output is of the throttle's ifb for <paramref name="device"/>: an ifb with our alias.</summary>
    public static bool IsOurIfb(string linkJson, string device)
    {
        using var document = JsonDocument.Parse(linkJson.Length == 0 ? "[]" : linkJson);
        return document.RootElement.EnumerateArray().Any(link =>
            link.TryGetProperty("ifalias", out var alias) && alias.GetString() == IfbAlias(device)
            && link.TryGetProperty("linkinfo", out var info) && info.TryGetProperty("info_kind", out var kind) && kind.GetString() == "ifb");
    }

    /// <summary>The <c>tc -batch</c> lines of our root qdisc on <paramref name="device"/> (the interface or its ifb).</summary>
    public static IReadOnlyList<string> Shaper(string device, ThrottleRate rate, IReadOnlyList<int> unthrottledPorts)
    {
        var lines = new List<string>
        {
            $"qdisc replace dev {device} root handle {Handle} htb default {ThrottledClass[(Handle.Length)..]}",
            Class(device, ThrottledClass, rate.BitsPerSecond),
        };
        if (unthrottledPorts.Count == 0)
        {
            return lines;
        }

        lines.Add(Class(device, UnthrottledClass, LineRateBitsPerSecond));
        // u32 reads the ports where a header without options puts them; the protocol match keeps UDP out.
        foreach (var port in unthrottledPorts)
        {
            foreach (var direction in new[] { "sport", "dport" })
            {
                lines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"filter add dev {device} parent {Handle} protocol ip pref 1 u32 match ip protocol 6 0xff match ip {direction} {port} 0xffff flowid {UnthrottledClass}"));
                lines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"filter add dev {device} parent {Handle} protocol ipv6 pref 2 u32 match ip6 protocol 6 0xff match ip6 {direction} {port} 0xffff flowid {UnthrottledClass}"));
            }
        }

        return lines;
    }

    /// <summary>The filter that sends everything arriving on <paramref name="device"/> through its ifb.</summary>
    public static string IngressRedirect(string device, string ifb) => string.Create(CultureInfo.InvariantCulture,
        $"filter add dev {device} ingress pref {IngressPref} protocol all u32 match u32 0 0 action mirred egress redirect dev {ifb}");

    public static IReadOnlyList<Qdisc> ParseQdiscs(string json)
    {
        using var document = JsonDocument.Parse(json.Length == 0 ? "[]" : json);
        var qdiscs = new List<Qdisc>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            var options = new Dictionary<string, string>(StringComparer.Ordinal);
            if (item.TryGetProperty("options", out var o) && o.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in o.EnumerateObject())
                {
                    options[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
                }
            }

            qdiscs.Add(new Qdisc(
                item.GetProperty("kind").GetString()!,
                item.GetProperty("handle").GetString()!,
                item.TryGetProperty("parent", out var parent) ? parent.GetString() : null,
                item.TryGetProperty("root", out var root) && root.ValueKind == JsonValueKind.True,
                options));
        }

        return qdiscs;
    }

    public static bool IsOurs(Qdisc? qdisc) => qdisc is { Kind: "htb", Handle: Handle };

    /// <summary>
    /// The rate in bits per second of an HTB class in <c>tc class show</c>'s text ("rate 10Mbit"), as tc rounds it;
    /// null when the class is not there. Text, because <c>tc -j class show</c> prints no JSON for HTB classes.
    /// </summary>
    public static long? ClassRate(string text, string classId)
    {
        foreach (var line in text.Split('\n'))
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words is not ["class", "htb", var id, ..] || id != classId)
            {
                continue;
            }

            var at = Array.IndexOf(words, "rate");
            return at >= 0 && at + 1 < words.Length ? TcRate(words[at + 1]) : null;
        }

        return null;
    }

    /// <summary>A rate as tc prints it: "10Mbit", "1234Kbit", "100Gbit", "800bit" (decimal prefixes).</summary>
    private static long? TcRate(string text)
    {
        var split = text.IndexOf("bit", StringComparison.Ordinal);
        if (split <= 0)
        {
            return null;
        }

        var number = text[..split];
        var factor = 1L;
        if (number[^1] is 'K' or 'M' or 'G' or 'T')
        {
            factor = number[^1] switch { 'K' => 1_000, 'M' => 1_000_000, 'G' => 1_000_000_000, _ => 1_000_000_000_000 };
            number = number[..^1];
        }

        return decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) ? (long)(value * factor) : null;
    }

    /// <summary>
    /// Whether an ingress filter is our redirect to <paramref name="ifb"/>; tc names the target "*" once the device is
    /// gone (someone deleted our ifb), and such a redirect at our preference is ours too.
    /// </summary>
    public static bool IsOurRedirect((int Pref, string? RedirectsTo) filter, string ifb) =>
        filter.Pref == IngressPref && (filter.RedirectsTo == ifb || filter.RedirectsTo == "*");

    /// <summary>The preferences of the ingress filters, each with the device it redirects to (null for none).</summary>
    public static IReadOnlyList<(int Pref, string? RedirectsTo)> ParseIngressFilters(string json)
    {
        using var document = JsonDocument.Parse(json.Length == 0 ? "[]" : json);
        var filters = new Dictionary<int, string?>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            if (!item.TryGetProperty("pref", out var prefElement) || !prefElement.TryGetInt32(out var pref))
            {
                continue;
            }

            filters.TryAdd(pref, null);
            if (item.TryGetProperty("options", out var options) && options.TryGetProperty("actions", out var actions) && actions.ValueKind == JsonValueKind.Array)
            {
                foreach (var action in actions.EnumerateArray())
                {
                    if (action.TryGetProperty("to_dev", out var to))
                    {
                        filters[pref] = to.GetString();
                    }
                }
            }
        }

        return filters.Select(f => (f.Key, f.Value)).ToList();
    }

    /// <summary>
    /// How the root qdisc now on an interface (not ours) is put back after the throttle: nothing to do for the
    /// kernel's default; else the arguments that re-create it as it is. Null, with <paramref name="why"/>, when it
    /// cannot be put back exactly: the throttle then leaves the interface alone rather than lose an admin's setup.
    /// </summary>
    public static PreviousRoot? Previous(string device, IReadOnlyList<Qdisc> qdiscs, out string why)
    {
        why = string.Empty;
        var root = qdiscs.FirstOrDefault(q => q.Root);
        if (root is null || root.IsKernelDefault)
        {
            return PreviousRoot.KernelDefault;
        }

        var children = qdiscs.Where(q => !q.Root && !q.IsIngress && !q.IsKernelDefault).ToList();
        if (children.Count > 0)
        {
            why = $"{device}'s root qdisc {root} has qdiscs under it ({string.Join(", ", children)}): a tree that the throttle could not put back as it was";
            return null;
        }

        var arguments = Recreate(root, out var unknown);
        if (arguments is null)
        {
            why = $"{device}'s root qdisc {root} has {unknown}, which the throttle could not put back exactly afterwards (it restores {RestorableKinds} as they were, and the kernel's default)";
            return null;
        }

        return new PreviousRoot(["handle", root.Handle, root.Kind, .. arguments]);
    }

    public const string RestorableKinds = "tbf, fq_codel, pfifo, bfifo and pfifo_fast";

    /// <summary>The arguments after the kind that re-create a qdisc as listed; null when a part of it has none.</summary>
    private static List<string>? Recreate(Qdisc qdisc, out string unknown)
    {
        unknown = $"the kind {qdisc.Kind}";
        string[] known;
        Func<string, string, IEnumerable<string>> argument;
        switch (qdisc.Kind)
        {
            case "tbf":
                // tc -j does not show a peakrate, only the minburst that comes with it: such a tbf is refused.
                known = ["rate", "burst", "lat"];
                argument = (key, value) => key switch
                {
                    "rate" => ["rate", value + "bps"],
                    // The kernel keeps the burst as a time at the rate, and tc prints it rounded down to a byte: one
                    // byte more gives the kernel back the time it had (as with fq_codel's times below).
                    "burst" => ["burst", Plus1(value) + "b"],
                    _ => ["latency", value + "us"],
                };
                break;
            case "pfifo" or "bfifo" or "pfifo_head_drop":
                known = ["limit"];
                argument = (key, value) => [key, value];
                break;
            case "pfifo_fast":
                // Its bands and priomap are fixed: there is nothing to give.
                known = ["bands", "priomap", "multiqueue"];
                argument = (_, _) => [];
                break;
            case "fq_codel":
                known = ["limit", "flows", "quantum", "target", "interval", "memory_limit", "ecn", "drop_batch", "ce_threshold"];
                argument = FqCodel;
                break;
            default:
                return null;
        }

        var arguments = new List<string>();
        foreach (var (key, value) in qdisc.Options)
        {
            if (!known.Contains(key, StringComparer.Ordinal))
            {
                unknown = $"the option {key} ({qdisc.Kind})";
                return null;
            }

            arguments.AddRange(argument(key, value));
        }

        return arguments;
    }

    private static IEnumerable<string> FqCodel(string key, string value) => key switch
    {
        // The kernel keeps CoDel's times in units of 1024 ns and tc prints them rounded down to a microsecond: one
        // microsecond more gives the kernel back the very unit it had.
        "target" or "interval" or "ce_threshold" => [key, Plus1(value) + "us"],
        "ecn" => [value == "true" ? "ecn" : "noecn"],
        _ => [key, value],
    };

    private static string Plus1(string number) => (long.Parse(number, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);

    private static string Class(string device, string classId, long bitsPerSecond)
    {
        // HTB's quantum: a tenth of a second's bytes, within the bounds the kernel would otherwise warn about.
        var quantum = Math.Clamp(bitsPerSecond / 8 / 10, 1600, 200_000);
        return string.Create(CultureInfo.InvariantCulture,
            $"class replace dev {device} parent {Handle} classid {classId} htb rate {bitsPerSecond}bit ceil {bitsPerSecond}bit quantum {quantum}");
    }
}
