using System.Globalization;
using System.Text;
using TrafficMonitor.Configuration.Yaml;
using static TrafficMonitor.Configuration.Sections.SettingsText;

namespace TrafficMonitor.Configuration.Sections;

/// <summary>The optional <c>notifications</c> section: what the channels share (expiry, degraded alerts, daily report).</summary>
internal static class NotificationsSection
{
    public static NotificationsOptions Read(SectionReader top)
    {
        var section = top.Section(NotificationsOptions.SectionName);
        var expire = section.Duration("expire", NotificationsOptions.MaxExpire);
        var degradedAfter = section.Int("degraded_after", 1, 10_000);
        var dailyReport = section.String("daily_report");
        section.ReportUnknownKeys();
        section.Positive("expire", expire, "3d");
        TimeOnly? reportAt = null;
        if (dailyReport is not null)
        {
            if (TimeOnly.TryParseExact(dailyReport.Trim(), ["H:mm", "HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
            {
                reportAt = at;
            }
            else
            {
                section.Problem("daily_report", $"{Quoted.Value(dailyReport)} is not a time of day: write it as \"08:00\" (24-hour, local time)");
            }
        }

        return new NotificationsOptions
        {
            Expire = expire ?? NotificationsOptions.DefaultExpire,
            DegradedAfter = degradedAfter ?? NotificationsOptions.DefaultDegradedAfter,
            DailyReport = reportAt,
        };
    }

    public static void Print(NotificationsOptions notifications, StringBuilder text)
    {
        text.AppendLine("notifications:");
        Line(text, 1, "expire", DurationParser.Format(notifications.Expire));
        Line(text, 1, "degraded_after", $"{notifications.DegradedAfter.ToString(CultureInfo.InvariantCulture)}   # failed checks in a row");
        Line(text, 1, "daily_report", notifications.DailyReport is { } at ? at.ToString("HH:mm", CultureInfo.InvariantCulture) : "(none)");
    }

    /// <summary>Across the channel sections: alerts that no channel carries only reach the log.</summary>
    public static IEnumerable<string> Warnings(TrafficMonitorSettings settings)
    {
        if (settings.Email is null && settings.Webhooks.Count == 0 && settings.Telegram is null)
        {
            yield return "no notification channel (email, webhooks, telegram), so alerts only go to the log: add one to be told";
        }
    }
}
