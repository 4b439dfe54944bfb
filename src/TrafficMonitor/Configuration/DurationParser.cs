using System.Globalization;
using System.Text;

namespace TrafficMonitor.Configuration;

/// <summary>Durations as admins write them: "30s", "5m", "1h30m", "250ms", "2d"; a bare number is seconds.</summary>
public static class DurationParser
{
    public static bool TryParse(string text, out TimeSpan duration, out string error)
    {
        duration = TimeSpan.Zero;
        error = string.Empty;
        var input = text.Trim();
        if (input.Length == 0)
        {
            error = "is empty: write a duration such as 30s, 5m or 1h";
            return false;
        }

        if (decimal.TryParse(input, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var bareSeconds))
        {
            duration = TimeSpan.FromSeconds((double)bareSeconds);
            return true;
        }

        var position = 0;
        var total = TimeSpan.Zero;
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
                error = Invalid(text);
                return false;
            }

            var unit = new StringBuilder();
            while (position < input.Length && char.IsAsciiLetter(input[position]))
            {
                unit.Append(input[position++]);
            }

            TimeSpan part;
            switch (unit.ToString().ToLowerInvariant())
            {
                case "ms": part = TimeSpan.FromMilliseconds((double)amount); break;
                case "s": part = TimeSpan.FromSeconds((double)amount); break;
                case "m": part = TimeSpan.FromMinutes((double)amount); break;
                case "h": part = TimeSpan.FromHours((double)amount); break;
                case "d": part = TimeSpan.FromDays((double)amount); break;
                default:
                    error = Invalid(text);
                    return false;
            }

            total += part;
            while (position < input.Length && input[position] == ' ')
            {
                position++;
            }
        }

        duration = total;
        return true;
    }

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

        return builder.ToString();
    }

    private static string Invalid(string text) =>
        $"'{text}' is not a duration: write a number with a unit (ms, s, m, h, d) such as 30s, 5m or 1h30m";
}
