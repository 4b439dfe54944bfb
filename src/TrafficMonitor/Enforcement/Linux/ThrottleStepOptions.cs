using System.Globalization;
using TrafficMonitor.Configuration;
using TrafficMonitor.Configuration.Yaml;

namespace TrafficMonitor.Enforcement.Linux;

/// <summary>The options of a <c>do: throttle</c> rule: the rate both directions are held to, and what stays at line rate.</summary>
/// <param name="KeepSsh">Whether SSH (<paramref name="SshPorts"/>, both directions) keeps the line rate (<c>keep_ssh</c>, default true).</param>
/// <param name="SshPorts">The TCP ports of SSH (<c>allow_ports</c>, default [22]), as a block's.</param>
public sealed record ThrottleStepOptions(ThrottleRate Rate, bool KeepSsh, IReadOnlyList<int> SshPorts) : IStepOptions
{
    public const string Kind = "throttle";
    public const string RateKey = "rate";
    public const string KeepSshKey = "keep_ssh";

    public bool Revertible => true;

    /// <summary>The ports kept at line rate: none without <see cref="KeepSsh"/>.</summary>
    public IReadOnlyList<int> UnthrottledPorts => KeepSsh ? SshPorts : [];

    public IEnumerable<KeyValuePair<string, string>> Describe()
    {
        yield return new(RateKey, $"{Rate}   # {Rate.BitsPerSecond.ToString(CultureInfo.InvariantCulture)} bit/s, each direction");
        yield return new(KeepSshKey, KeepSsh ? "true" : "false");
        if (KeepSsh)
        {
            yield return new(AllowedTrafficSection.PortsKey, $"[{string.Join(", ", SshPorts)}]");
        }
    }

    /// <summary>Reads <c>rate</c>, <c>keep_ssh</c> and <c>allow_ports</c> of one rule; null when they are unusable (the problems say why).</summary>
    internal static ThrottleStepOptions? Read(SectionReader rule, StepReadContext context)
    {
        var text = rule.String(RateKey);
        ThrottleRate? rate = null;
        if (text is null)
        {
            rule.Missing(RateKey, $"missing: the rate to hold both directions to, e.g. {ThrottleRate.Example}");
        }
        else if (ThrottleRate.TryParse(text, out var parsed, out var error))
        {
            rate = parsed;
        }
        else
        {
            rule.Problem(RateKey, error);
        }

        var keepSsh = rule.Bool(KeepSshKey) ?? true;
        var ports = AllowedTrafficSection.Ports(rule, "would throttle SSH too");
        if (!keepSsh && rule.Has(AllowedTrafficSection.PortsKey))
        {
            rule.Problem(AllowedTrafficSection.PortsKey, $"has no effect with {KeepSshKey}: false (SSH is throttled like the rest): remove one of them");
            return null;
        }

        return rate is { } r ? new ThrottleStepOptions(r, keepSsh, ports) : null;
    }
}
