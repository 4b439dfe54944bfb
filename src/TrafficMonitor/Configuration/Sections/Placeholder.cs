namespace TrafficMonitor.Configuration.Sections;

/// <summary>Host names reserved for documentation and testing, as left in a copied example settings file.</summary>
internal static class Placeholder
{
    private static readonly string[] Domains = ["example.com", "example.org", "example.net"];
    private static readonly string[] Suffixes = [".example", ".test", ".invalid", ".localhost"];

    public static bool IsHost(string host)
    {
        var name = host.Trim().TrimEnd('.').ToLowerInvariant();
        return Domains.Any(d => name == d || name.EndsWith("." + d, StringComparison.Ordinal))
            || Suffixes.Any(s => name.EndsWith(s, StringComparison.Ordinal));
    }
}
