using TrafficMonitor.State;

namespace TrafficMonitor.Monitoring;

/// <summary>
/// Decides the daily report, pure: keeps the day marks (usage at each local day's first check, so yesterday's usage
/// is known) and says when today's report is due.
/// </summary>
public static class DailyReportSchedule
{
    /// <param name="previous">The state before this check, which still holds the last period's usage after a reset.</param>
    public static (MonitorState State, bool ReportDue) Evaluate(
        MonitorState state, MonitorState previous, bool newPeriod, long countedBytes, DateTimeOffset localNow, TimeOnly? reportAt)
    {
        var today = DateOnly.FromDateTime(localNow.DateTime);
        if (state.DayMarkDate != today)
        {
            long? yesterday = null;
            if (state.DayMarkDate == today.AddDays(-1) && state.DayMarkBytes is { } mark)
            {
                var used = newPeriod ? (previous.LastCountedBytes ?? mark) - mark + countedBytes : countedBytes - mark;
                yesterday = used >= 0 ? used : null;
            }

            state = state with { DayMarkDate = today, DayMarkBytes = countedBytes, YesterdayBytes = yesterday };
        }

        var due = reportAt is { } at && TimeOnly.FromDateTime(localNow.DateTime) >= at && state.LastDailyReport != today;
        return (due ? state with { LastDailyReport = today } : state, due);
    }
}
