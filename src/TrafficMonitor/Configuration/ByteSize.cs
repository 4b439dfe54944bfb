using System.Globalization;

namespace TrafficMonitor.Configuration;

/// <summary>Whether a size was written in powers of 1024 (GiB) or of 1000 (GB); messages print in the same family.</summary>
public enum UnitSystem
{
    Binary,
    Decimal,
}

/// <summary>How to print sizes: the unit family, and the largest unit to use (the one the limit was written in).</summary>
public readonly record struct SizeUnits(UnitSystem System, int MaxExponent)
{
    public static SizeUnits Gibibytes { get; } = new(UnitSystem.Binary, 3);
}

/// <summary>
/// An exact number of bytes, remembering the unit it was written in (<see cref="Exponent"/>: 0 = B, 3 = GB/GiB),
/// so that messages speak in the user's own unit: a limit of 2000 (GiB) prints as "2000 GiB", not "1.95 TiB".
/// </summary>
public readonly record struct ByteSize(long Bytes, UnitSystem Units = UnitSystem.Binary, int Exponent = 3)
{
    private const long Kibi = 1024;

    private static readonly (string Suffix, long Factor, UnitSystem Units, int Exponent)[] KnownUnits =
    [
        ("B", 1, UnitSystem.Decimal, 0),
        ("KB", 1_000, UnitSystem.Decimal, 1),
        ("MB", 1_000_000, UnitSystem.Decimal, 2),
        ("GB", 1_000_000_000, UnitSystem.Decimal, 3),
        ("TB", 1_000_000_000_000, UnitSystem.Decimal, 4),
        ("PB", 1_000_000_000_000_000, UnitSystem.Decimal, 5),
        ("KiB", Kibi, UnitSystem.Binary, 1),
        ("MiB", Kibi * Kibi, UnitSystem.Binary, 2),
        ("GiB", Kibi * Kibi * Kibi, UnitSystem.Binary, 3),
        ("TiB", Kibi * Kibi * Kibi * Kibi, UnitSystem.Binary, 4),
        ("PiB", Kibi * Kibi * Kibi * Kibi * Kibi, UnitSystem.Binary, 5),
    ];

    public const long BytesPerGiB = Kibi * Kibi * Kibi;

    public static string UnitList => "B, KB, MB, GB, TB, PB, KiB, MiB, GiB, TiB, PiB";

    public SizeUnits DisplayUnits => new(Units, Math.Max(Exponent, 1));

    /// <summary>
    /// Parses "2 TB", "1.8 TiB", "750 MB" exactly; a bare number means GiB, which is what the original tool
    /// computed (bytes / 1024^3) and what vnStat prints by default.
    /// </summary>
    public static bool TryParse(string text, out ByteSize size, out string error)
    {
        size = default;
        var (numberPart, unitPart) = SplitUnit(text);
        if (!decimal.TryParse(numberPart, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            error = $"{Quoted.Value(text)} is not a size: write a number of GiB (2000) or a number with a unit ({UnitList}), e.g. \"2 TB\"";
            return false;
        }

        if (number < 0)
        {
            error = $"{Quoted.Value(text)} is negative: a size must be zero or more";
            return false;
        }

        long factor = BytesPerGiB;
        var units = UnitSystem.Binary;
        var exponent = 3;
        if (unitPart.Length > 0)
        {
            var match = Array.FindIndex(KnownUnits, u => string.Equals(u.Suffix, unitPart, StringComparison.OrdinalIgnoreCase));
            if (match < 0)
            {
                error = $"{Quoted.Value(text)} has an unknown unit {Quoted.Value(unitPart)}: use one of {UnitList} (TB = 10^12 bytes, TiB = 2^40 bytes)";
                return false;
            }

            (_, factor, units, exponent) = KnownUnits[match];
        }

        try
        {
            size = new ByteSize(checked((long)Math.Round(number * factor)), units, exponent);
        }
        catch (OverflowException)
        {
            error = $"{Quoted.Value(text)} is too large";
            return false;
        }

        error = string.Empty;
        return true;
    }

    public override string ToString() => Format(Bytes, new SizeUnits(Units, Exponent));

    /// <summary>"1.8 TiB" → ("1.8", "TiB"): the leading number (digits, point, sign) and the unit after it, trimmed.</summary>
    internal static (string Number, string Unit) SplitUnit(string text)
    {
        var trimmed = text.Trim();
        var split = 0;
        while (split < trimmed.Length && (char.IsAsciiDigit(trimmed[split]) || trimmed[split] is '.' or '-' or '+'))
        {
            split++;
        }

        return (trimmed[..split], trimmed[split..].Trim());
    }

    /// <summary>
    /// Prints a byte count with up to two decimals, in the largest unit of the family (up to
    /// <see cref="SizeUnits.MaxExponent"/>) that keeps it at or above 1.
    /// </summary>
    public static string Format(long bytes, SizeUnits units)
    {
        var (value, unit) = InUnit(bytes, units);
        return unit == "B"
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.##} {unit}");
    }

    /// <summary>
    /// Like <see cref="Format"/>, but rounded up to the next hundredth (whole bytes), so that the text, read back,
    /// is never less than <paramref name="bytes"/>: for a minimum in a message.
    /// </summary>
    public static string FormatAtLeast(decimal bytes, SizeUnits units)
    {
        var (value, unit) = InUnit(bytes, units);
        var rounded = unit == "B" ? Math.Ceiling(value) : Math.Ceiling(value * 100) / 100;
        return string.Create(CultureInfo.InvariantCulture, $"{rounded:0.##} {unit}");
    }

    private static (decimal Value, string Unit) InUnit(decimal bytes, SizeUnits units)
    {
        var (names, step) = units.System == UnitSystem.Binary
            ? (new[] { "B", "KiB", "MiB", "GiB", "TiB", "PiB" }, 1024m)
            : (new[] { "B", "KB", "MB", "GB", "TB", "PB" }, 1000m);
        var value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= step && unit < Math.Min(units.MaxExponent, names.Length - 1))
        {
            value /= step;
            unit++;
        }

        return (value, names[unit]);
    }
}
