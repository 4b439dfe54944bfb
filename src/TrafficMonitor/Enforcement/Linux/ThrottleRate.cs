using System.Globalization;
using TrafficMonitor.Configuration;

namespace TrafficMonitor.Enforcement.Linux;

/// <summary>
/// A throttle's rate, in bits per second: what <c>rate</c> says ("10 Mbit/s", "10 Mbps", "1.25 MB/s", "500 KiB/s").
/// </summary>
/// <remarks>
/// Bits are written "bit", "bps" or "b/s" with an optional k, M, G (10^3, 10^6, 10^9) or Ki, Mi, Gi (2^10, …) prefix;
/// bytes are written "B/s" with the same prefixes, so a byte rate always says "per second" and a capital B. "Mbps" is
/// megabits, as providers write it (tc's own "mbps" would be megabytes: that is never what is meant here).
/// </remarks>
public readonly record struct ThrottleRate(long BitsPerSecond)
{
    /// <summary>Slower than this leaves SSH's own handshake crawling for the rest: almost surely a missing unit.</summary>
    public const long Minimum = 8_000;

    /// <summary>Faster than any link a throttle is for.</summary>
    public const long Maximum = 1_000_000_000_000;

    public const string Example = "\"10 Mbit/s\" (or \"10 Mbps\", \"1.25 MB/s\", \"500 KiB/s\")";

    private static readonly (string Prefix, long Factor)[] Prefixes =
    [
        ("", 1), ("k", 1_000), ("M", 1_000_000), ("G", 1_000_000_000), ("T", 1_000_000_000_000),
        ("Ki", 1L << 10), ("Mi", 1L << 20), ("Gi", 1L << 30), ("Ti", 1L << 40),
    ];

    public static bool TryParse(string text, out ThrottleRate rate, out string error)
    {
        rate = default;
        var (numberPart, unit) = ByteSize.SplitUnit(text);
        if (!decimal.TryParse(numberPart, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            error = $"{Quoted.Value(text)} is not a rate: write a number and a unit, e.g. {Example}";
            return false;
        }

        if (unit.Length == 0)
        {
            error = $"{Quoted.Value(text)} has no unit: write bits or bytes per second, e.g. {Example}";
            return false;
        }

        if (UnitFactor(unit) is not { } factor)
        {
            error = $"{Quoted.Value(text)} has an unknown unit {Quoted.Value(unit)}: use bit/s, kbit/s, Mbit/s, Gbit/s (or Mbps), or bytes as B/s, KB/s, MB/s, KiB/s, MiB/s, e.g. {Example}";
            return false;
        }

        var bits = number * factor;
        if (bits < Minimum || bits > Maximum)
        {
            error = $"{Quoted.Value(text)} is out of range: use {Format(Minimum)} to {Format(Maximum)}, e.g. {Example}";
            return false;
        }

        rate = new ThrottleRate((long)Math.Round(bits));
        error = string.Empty;
        return true;
    }

    /// <summary>How the rate reads in messages and check-config: "10 Mbit/s", "1.5 Mbit/s", "500 kbit/s".</summary>
    public static string Format(long bitsPerSecond)
    {
        var (value, unit) = bitsPerSecond switch
        {
            >= 1_000_000_000 => (bitsPerSecond / 1e9m, "Gbit/s"),
            >= 1_000_000 => (bitsPerSecond / 1e6m, "Mbit/s"),
            >= 1_000 => (bitsPerSecond / 1e3m, "kbit/s"),
            _ => (bitsPerSecond, "bit/s"),
        };
        return string.Create(CultureInfo.InvariantCulture, $"{value:0.###} {unit}");
    }

    public override string ToString() => Format(BitsPerSecond);

    /// <summary>Bits per second for one of the unit's forms; null when it is none.</summary>
    private static long? UnitFactor(string unit)
    {
        foreach (var (prefix, factor) in Prefixes)
        {
            // Prefixes in any case (tc writes "mbit"); only the b of bit against the B of byte must be as written.
            if (!unit.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var rest = unit[prefix.Length..];
            // Bits: "bit" in any case ("Mbit", "mbit/s"); "bps" and "b/s" only with a small b, which tells them from bytes.
            if (rest.Equals("bit", StringComparison.OrdinalIgnoreCase) || rest.Equals("bit/s", StringComparison.OrdinalIgnoreCase)
                || rest.Equals("bps", StringComparison.Ordinal) || rest.Equals("b/s", StringComparison.Ordinal))
            {
                return factor;
            }

            if (rest.Equals("B/s", StringComparison.Ordinal))
            {
                return factor * 8;
            }
        }

        return null;
    }
}
