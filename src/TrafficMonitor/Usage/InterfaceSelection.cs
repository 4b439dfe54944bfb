using TrafficMonitor.Platform;

namespace TrafficMonitor.Usage;

/// <summary>
/// Chooses which interfaces count. By default every physical one: loopback and virtual interfaces (containers,
/// bridges, VPN tunnels) carry traffic that is either never billed or already counted on the physical link.
/// </summary>
public static class InterfaceSelection
{
    private static readonly string[] VirtualPrefixes =
    [
        "lo", "docker", "veth", "br", "virbr", "vnet", "tun", "tap", "wg", "zt", "tailscale", "ifb", "dummy", "kube",
        "cni", "flannel", "cali", "vxlan", "lxcbr", "lxdbr", "podman", "sit", "gre", "ipip", "ip6tnl", "vmnet", "vboxnet",
        "utun", "awdl", "llw", "gif", "stf", "anpi", "nordlynx", "cilium", "weave", "genev",

        // A bond's or team's traffic is its members' traffic, already counted on the physical links under it.
        "bond", "team", "macvlan", "macvtap", "ipvlan",
    ];

    public static bool IsVirtual(string name, HostPlatform platform) =>
        VirtualPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        || name.Contains("Loopback", StringComparison.OrdinalIgnoreCase)
        || (platform.DottedNamesAreVlans && name.Contains('.', StringComparison.Ordinal));

    /// <summary>
    /// The configured interfaces (all must exist) or, with none configured, every non-virtual one.
    /// Throws <see cref="UsageUnavailableException"/> naming what is available when the choice cannot be made.
    /// </summary>
    public static IReadOnlyList<string> Select(
        IReadOnlyCollection<string> available, IReadOnlyList<string> configured, string sourceName, HostPlatform platform)
    {
        if (configured.Count > 0)
        {
            var missing = configured.Where(name => !available.Contains(name, StringComparer.Ordinal)).ToList();
            if (missing.Count > 0)
            {
                throw new UsageUnavailableException(
                    $"interface{(missing.Count > 1 ? "s" : string.Empty)} {string.Join(", ", missing)} not in {sourceName} " +
                    $"(it has: {Describe(available)}): fix monitor.interfaces");
            }

            return configured.Distinct(StringComparer.Ordinal).ToList();
        }

        var physical = available.Where(name => !IsVirtual(name, platform)).Order(StringComparer.Ordinal).ToList();
        return physical.Count > 0
            ? physical
            : throw new UsageUnavailableException(
                $"{sourceName} has no physical interface to count (it has: {Describe(available)}): " +
                "name the interfaces to count in monitor.interfaces");
    }

    private static string Describe(IReadOnlyCollection<string> names) =>
        names.Count == 0 ? "none" : string.Join(", ", names.Order(StringComparer.Ordinal));
}
