using System.Globalization;
using System.Text;

namespace TrafficMonitor.Platform;

/// <summary>
/// Another program's output made fit for one line of a log or an error message: anything but a wrapped, broken or
/// binary output could forge log lines, move the terminal's cursor or reorder text (bidirectional overrides).
/// </summary>
internal static class PrintableText
{
    /// <summary>
    /// Line breaks and other whitespace become one space; control and format characters, invalid UTF-8 (decoded as
    /// U+FFFD) and unassigned or private-use characters become '?'; longer than <paramref name="maxLength"/> is cut with "…".
    /// </summary>
    public static string OneLine(string text, int maxLength)
    {
        var result = new StringBuilder(Math.Min(text.Length, maxLength + 1));
        var space = false;
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(rune))
            {
                space = result.Length > 0;
                continue;
            }

            if (space)
            {
                result.Append(' ');
                space = false;
            }

            var printable = rune != Rune.ReplacementChar && Rune.GetUnicodeCategory(rune) is not
                (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned);
            if (printable)
            {
                result.Append(rune.ToString());
            }
            else
            {
                result.Append('?');
            }

            if (result.Length > maxLength)
            {
                return result.ToString(0, maxLength) + "…";
            }
        }

        return result.ToString();
    }
}
