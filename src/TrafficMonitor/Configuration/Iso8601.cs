using System.Globalization;

namespace TrafficMonitor.Configuration;

/// <summary>Times and days as every log line and message writes them: ISO 8601, never the culture's format.</summary>
public static class Iso8601
{
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
