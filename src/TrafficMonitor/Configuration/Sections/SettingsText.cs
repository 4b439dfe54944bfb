using System.Globalization;
using System.Text;

namespace TrafficMonitor.Configuration.Sections;

/// <summary>How check-config prints a value: YAML-like lines, indented two spaces a level.</summary>
internal static class SettingsText
{
    public static void Line(StringBuilder text, int depth, string key, string value) =>
        text.Append(' ', depth * 2).Append(key).Append(": ").AppendLine(value);

    public static string Size(ByteSize size) =>
        $"{size}   # {size.Bytes.ToString(CultureInfo.InvariantCulture)} bytes";
}
