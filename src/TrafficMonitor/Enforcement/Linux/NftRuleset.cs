using System.Globalization;
using System.Text;

namespace TrafficMonitor.Enforcement.Linux;

/// <summary>
/// Builds the text <c>nft -f -</c> loads. Pure, so each ruleset is unit-tested as text.
/// </summary>
/// <remarks>
/// Each table is replaced whole in one transaction: "table X" (creates it if absent, so the delete cannot fail),
/// "delete table X", then the new table. Applying twice leaves one table, and a half-applied table cannot exist.
/// </remarks>
public static class NftRuleset
{
    public const string Family = "inet";

    /// <summary>
    /// filter - 50 (-50): after conntrack (-200) and mangle (-150), so ct state and marks are known; before the
    /// filter chains of iptables-nft, ufw and Docker (0) and firewalld (filter + 10), so what we drop never reaches
    /// their counters or their "BLOCK" logs; and on no well-known priority, whose order against ours would be
    /// undefined. Correctness does not depend on it: a drop is final in every table, an accept only ends its chain.
    /// </summary>
    public const string Priority = "filter - 50";

    public static string Replace(string table, string comment, IEnumerable<string> body)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"table {Family} {table}\n");
        text.Append(CultureInfo.InvariantCulture, $"delete table {Family} {table}\n");
        text.Append(CultureInfo.InvariantCulture, $"table {Family} {table} {{\n");
        text.Append(CultureInfo.InvariantCulture, $"\tcomment \"{comment}\"\n");
        foreach (var line in body)
        {
            text.Append(line.Length == 0 ? "\n" : $"\t{line}\n");
        }

        text.Append("}\n");
        return text.ToString();
    }

    /// <summary>Deletes the table if it exists, and nothing else.</summary>
    public static string Delete(string table) => $"table {Family} {table}\ndelete table {Family} {table}\n";

    /// <summary>A base chain: policy accept, the allowed traffic, then <paramref name="drop"/> for the rest.</summary>
    public static IEnumerable<string> BaseChain(string hook, IEnumerable<string> allowed, string drop)
    {
        yield return $"chain {hook} {{";
        // Policy accept: whatever this chain does not drop is left to the other tables (ufw, firewalld, Docker).
        yield return $"\ttype filter hook {hook} priority {Priority}; policy accept;";
        foreach (var rule in allowed)
        {
            yield return $"\t{rule}";
        }

        yield return $"\t{drop}";
        yield return "}";
    }

    /// <summary>
    /// A short fingerprint of a ruleset body, kept in the table's comment: a table whose comment differs was
    /// installed from other settings (or by an older version) and is replaced. FNV-1a: no crypto library needed.
    /// </summary>
    public static string Fingerprint(IEnumerable<string> body)
    {
        var hash = 14695981039346656037UL;
        foreach (var line in body)
        {
            foreach (var c in line + "\n")
            {
                hash = (hash ^ c) * 1099511628211UL;
            }
        }

        return hash.ToString("x16", CultureInfo.InvariantCulture)[..12];
    }
}
