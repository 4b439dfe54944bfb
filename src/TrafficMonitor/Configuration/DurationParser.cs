using System.Globalization;
using System.Text;

namespace TrafficMonitor.Configuration;

/// <summary>Durations as admins write them: "30s", "5m", "1h30m", "250ms", "2d"; a bare number is seconds.</summary>
public static class DurationParser
{
    /// <summary>The longest duration a <see cref="TimeSpan"/> holds; keys give their own, much lower, bound.</summary>
    public static TimeSpan MaxValue => TimeSpan.MaxValue;

    public static bool TryParse(string text, out TimeSpan duration, out string error) =>
        TryParse(text, MaxValue, out duration, out error);

    /// <summary>
    /// Parses a duration of at most <paramref name="max"/>. Amounts are added up in ticks as decimals and compared
    /// with the bound before a <see cref="TimeSpan"/> is made, so no number, however large, overflows.
    /// </summary>
    public static bool TryParse(string text, TimeSpan max, out TimeSpan duration, out string error)
    {
        duration = TimeSpan.Zero;
        error = string.Empty;
        var input = text.Trim();
        if (input.Length == 0)
        {
            error = "is empty: write a duration such as 30s, 5m or 1h";
            return false;
        }

        decimal ticks;
        if (decimal.TryParse(input, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var bareSeconds))
        {
            ticks = Ticks(bareSeconds, TimeSpan.TicksPerSecond, max.Ticks);
        }
        else if (!TrySumParts(input, max.Ticks, out ticks))
        {
            error = Invalid(text);
            return false;
        }

        if (ticks > max.Ticks)
        {
            error = $"{Quoted.Value(text)} is too long: use at most {Format(max)}";
            return false;
        }

        duration = TimeSpan.FromTicks((long)Math.Round(ticks));
        return true;
    }

    private static bool TrySumParts(string input, long maxTicks, out decimal total)
    {
        total = 0;
        var position = 0;
        while (position < input.Length)
        {
            var start = position;
            while (position < input.Length && (char.IsAsciiDigit(input[position]) || input[position] == '.'))
            {
                position++;
            }

            if (start == position ||
                !decimal.TryParse(input[start..position], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                return false;
            }

            var unitStart = position;
            while (position < input.Length && char.IsAsciiLetter(input[position]))
            {
                position++;
            }

            long ticksPerUnit;
            switch (input[unitStart..position].ToLowerInvariant())
            {
                case "ms": ticksPerUnit = TimeSpan.TicksPerMillisecond; break;
                case "s": ticksPerUnit = TimeSpan.TicksPerSecond; break;
                case "m": ticksPerUnit = TimeSpan.TicksPerMinute; break;
                case "h": ticksPerUnit = TimeSpan.TicksPerHour; break;
                case "d": ticksPerUnit = TimeSpan.TicksPerDay; break;
                default: return false;
            }

            // Once past the bound the sum only grows, so it stays just past it rather than overflowing a decimal.
            total = Math.Min(total + Ticks(amount, ticksPerUnit, maxTicks), (decimal)maxTicks + 1);
            while (position < input.Length && input[position] == ' ')
            {
                position++;
            }
        }

        return true;
    }

    /// <summary>The amount in ticks, or just past <paramref name="maxTicks"/> when it is beyond it (never an overflow).</summary>
    private static decimal Ticks(decimal amount, long ticksPerUnit, long maxTicks) =>
        amount > (decimal)maxTicks / ticksPerUnit ? (decimal)maxTicks + 1 : amount * ticksPerUnit;

    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }

        var builder = new StringBuilder();
        if (duration.Days > 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{duration.Days}d");
        }

        if (duration.Hours > 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{duration.Hours}h");
        }

        if (duration.Minutes > 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{duration.Minutes}m");
        }

        if (duration.Seconds > 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{duration.Seconds}s");
        }

        if (duration.Milliseconds > 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{duration.Milliseconds}ms");
        }
        else if (builder.Length == 0)
        {
            // Less than a millisecond: still a duration, not an empty string.
            builder.Append(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0.####}ms");
        }

        return builder.ToString();
    }

    private static string Invalid(string text) =>
        $"{Quoted.Value(text)} is not a duration: write a number with a unit (ms, s, m, h, d) such as 30s, 5m or 1h30m";
}
