using System.Text.Json;
using TrafficMonitor.Platform;

namespace TrafficMonitor.Usage.VnStat;

public sealed record VnStatMonth(int Year, int Month, long Rx, long Tx);

public sealed record VnStatDay(DateOnly Date, long Rx, long Tx);

public sealed record VnStatInterface(string Name, DateTimeOffset? UpdatedAt, IReadOnlyList<VnStatMonth> Months, IReadOnlyList<VnStatDay> Days);

/// <summary>
/// vnStat 2.x's <c>--json</c> output (jsonversion 2), read with <see cref="JsonDocument"/> so that anything
/// unexpected becomes a clear <see cref="UsageUnavailableException"/> instead of a wrong number.
/// </summary>
public sealed record VnStatDocument(string VnStatVersion, IReadOnlyList<VnStatInterface> Interfaces)
{
    public const string SupportedJsonVersion = "2";

    public static VnStatDocument Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            var firstLine = PrintableText.OneLine(json.Split('\n', 2)[0], 80);
            throw new UsageUnavailableException($"vnStat's output is not JSON (it began: \"{firstLine}\"): check vnstat.command points at vnStat 2.x");
        }

        using (document)
        {
            try
            {
                var root = document.RootElement;
                var jsonVersion = root.TryGetProperty("jsonversion", out var v) ? v.ToString() : "(none)";
                if (jsonVersion != SupportedJsonVersion)
                {
                    throw new UsageUnavailableException(
                        $"vnStat printed JSON version {jsonVersion}; traffic-monitor reads vnStat 2.x's JSON version {SupportedJsonVersion}: install vnStat 2.x");
                }

                var version = root.TryGetProperty("vnstatversion", out var vv) ? vv.GetString() ?? "?" : "?";
                var interfaces = root.GetProperty("interfaces").EnumerateArray().Select(ParseInterface).ToList();
                return new VnStatDocument(version, interfaces);
            }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
            {
                throw new UsageUnavailableException($"vnStat's JSON is not in the expected shape ({e.Message}): check that vnStat is version 2.x", e);
            }
        }
    }

    private static VnStatInterface ParseInterface(JsonElement element)
    {
        var name = element.GetProperty("name").GetString() ?? throw new FormatException("an interface without a name");
        DateTimeOffset? updated = element.TryGetProperty("updated", out var u) && u.TryGetProperty("timestamp", out var ts)
            ? DateTimeOffset.FromUnixTimeSeconds(ts.GetInt64())
            : null;
        var traffic = element.GetProperty("traffic");
        var months = traffic.TryGetProperty("month", out var m)
            ? m.EnumerateArray().Select(row => new VnStatMonth(
                row.GetProperty("date").GetProperty("year").GetInt32(),
                row.GetProperty("date").GetProperty("month").GetInt32(),
                Bytes(row, "rx", name),
                Bytes(row, "tx", name))).ToList()
            : [];
        var days = traffic.TryGetProperty("day", out var d)
            ? d.EnumerateArray().Select(row => new VnStatDay(
                new DateOnly(
                    row.GetProperty("date").GetProperty("year").GetInt32(),
                    row.GetProperty("date").GetProperty("month").GetInt32(),
                    row.GetProperty("date").GetProperty("day").GetInt32()),
                Bytes(row, "rx", name),
                Bytes(row, "tx", name))).ToList()
            : [];
        return new VnStatInterface(name, updated, months, days);
    }

    private static long Bytes(JsonElement row, string direction, string interfaceName)
    {
        var value = row.GetProperty(direction).GetInt64();
        return value >= 0 ? value : throw new FormatException($"a negative {direction} byte count for {interfaceName}");
    }
}
