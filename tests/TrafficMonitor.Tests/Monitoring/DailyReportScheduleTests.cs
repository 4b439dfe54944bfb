using TrafficMonitor.Monitoring;
using TrafficMonitor.State;

namespace TrafficMonitor.Tests.Monitoring;

public sealed class DailyReportScheduleTests
{
    private static readonly TimeOnly Eight = new(8, 0);

    private static DateTimeOffset At(int day, int hour) => new(2026, 11, day, hour, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Evaluate_BeforeTheReportTime_IsNotDue()
    {
        var (_, due) = DailyReportSchedule.Evaluate(new MonitorState(), new MonitorState(), false, 0, At(15, 7), Eight);

        Assert.False(due);
    }

    [Fact]
    public void Evaluate_AfterTheReportTime_IsDueOncePerDay()
    {
        var (state, first) = DailyReportSchedule.Evaluate(new MonitorState(), new MonitorState(), false, 0, At(15, 9), Eight);
        (state, var sameDay) = DailyReportSchedule.Evaluate(state, state, false, 0, At(15, 23), Eight);
        (state, var nextDayEarly) = DailyReportSchedule.Evaluate(state, state, false, 0, At(16, 7), Eight);
        var (_, nextDay) = DailyReportSchedule.Evaluate(state, state, false, 0, At(16, 9), Eight);

        Assert.Equal((true, false, false, true), (first, sameDay, nextDayEarly, nextDay));
    }

    [Fact]
    public void Evaluate_NoReportTime_IsNeverDueButKeepsTheDayMarks()
    {
        var (state, due) = DailyReportSchedule.Evaluate(new MonitorState(), new MonitorState(), false, 500, At(15, 9), null);

        Assert.False(due);
        Assert.Equal(new DateOnly(2026, 11, 15), state.DayMarkDate);
        Assert.Equal(500, state.DayMarkBytes);
    }

    [Fact]
    public void Evaluate_NextDay_YesterdayIsTheDifferenceBetweenFirstChecks()
    {
        var (state, _) = DailyReportSchedule.Evaluate(new MonitorState(), new MonitorState(), false, 1_000, At(14, 0), Eight);
        (state, _) = DailyReportSchedule.Evaluate(state, state, false, 4_000, At(15, 0), Eight);

        Assert.Equal(3_000, state.YesterdayBytes);
    }

    [Fact]
    public void Evaluate_ANewPeriodOvernight_AddsTheLastPeriodsRestToTheNewPeriodsStart()
    {
        var (state, _) = DailyReportSchedule.Evaluate(new MonitorState(), new MonitorState(), false, 9_000, At(30, 0), Eight);
        var previous = state with { LastCountedBytes = 9_500 };
        var reset = MonitorState.ForPeriod(new DateOnly(2026, 12, 1)).WithMonitoringFrom(previous);

        (state, _) = DailyReportSchedule.Evaluate(reset, previous, true, 200, new DateTimeOffset(2026, 12, 1, 0, 5, 0, TimeSpan.Zero), Eight);

        Assert.Equal(700, state.YesterdayBytes);
    }

    [Fact]
    public void Evaluate_AGapOfDays_YesterdayIsUnknown()
    {
        var (state, _) = DailyReportSchedule.Evaluate(new MonitorState(), new MonitorState(), false, 1_000, At(10, 0), Eight);
        (state, _) = DailyReportSchedule.Evaluate(state, state, false, 4_000, At(15, 0), Eight);

        Assert.Null(state.YesterdayBytes);
    }
}
