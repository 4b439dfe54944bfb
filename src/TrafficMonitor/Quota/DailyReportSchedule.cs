using TrafficMonitor.State;

namespace TrafficMonitor.Quota;

/// <summary>
/// Decides the daily report, pure: keeps the day marks (usage at each local day's first check, so yesterday's usage
/// is known) and says when today's report is due.
/// </summary>
public static class DailyReportSchedule
{
    /// <param name="lastPeriodBytes">Usage at the last check, which still holds the last period's usage after a reset.</param>
    public static (DayMarks Days, bool ReportDue) Evaluate(
        DayMarks days, bool newPeriod, long? lastPeriodBytes, long countedBytes, CheckTime time, TimeOnly? reportAt)
    {
        var today = time.Today;
        if (days.Date != today)
        {
            long? yesterday = null;
            if (days.Date == today.AddDays(-1) && days.Bytes is { } mark)
            {
                var used = newPeriod ? (lastPeriodBytes ?? mark) - mark + countedBytes : countedBytes - mark;
                yesterday = used >= 0 ? used : null;
            }

            days = days with { Date = today, Bytes = countedBytes, YesterdayBytes = yesterday };
        }

        var due = reportAt is { } at && time.LocalTimeOfDay >= at && days.LastDailyReport != today;
        return (due ? days with { LastDailyReport = today } : days, due);
    }
}
