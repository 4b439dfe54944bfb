using System.Globalization;
using System.Text;

namespace TrafficMonitor.Configuration;

/// <summary>
/// How a value from the settings file appears in a message: cut to <see cref="MaxLength"/> characters with an
/// ellipsis, and control characters made visible, so that no value can flood a terminal or forge a log line.
/// </summary>
internal static class Quoted
{
    public const int MaxLength = 100;

    /// <summary>The value in single quotes: <c>'value'</c>.</summary>
    public static string Value(string? text) => $"'{Cut(text)}'";

    /// <summary>The value without quotes, e.g. a key in a path.</summary>
    public static string Cut(string? text)
    {
        text ??= string.Empty;
        var cut = text.Length > MaxLength;
        var length = cut ? MaxLength : text.Length;
        if (cut && char.IsHighSurrogate(text[length - 1]))
        {
            length--;
        }

        var builder = new StringBuilder(length + 1);
        foreach (var c in text.AsSpan(0, length))
        {
            _ = c switch
            {
                '\n' => builder.Append("\\n"),
                '\r' => builder.Append("\\r"),
                '\t' => builder.Append("\\t"),
                _ when char.IsControl(c) => builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => builder.Append(c),
            };
        }

        return cut ? builder.Append('…').ToString() : builder.ToString();
    }

    /// <summary>An exception's message as the tail of one of ours, which never end in a period.</summary>
    public static string Reason(Exception exception) => exception.Message.TrimEnd().TrimEnd('.');
}
