using TrafficMonitor.Quota;
using TrafficMonitor.State;

namespace TrafficMonitor.Tests.Quota;

public sealed class DailyReportScheduleTests
{
    private static readonly TimeOnly Eight = new(8, 0);

    private static CheckTime At(int day, int hour) => At(new DateTimeOffset(2026, 11, day, hour, 0, 0, TimeSpan.Zero));

    private static CheckTime At(DateTimeOffset time) => new(time, time);

    [Fact]
    public void Evaluate_BeforeTheReportTime_IsNotDue()
    {
        var (_, due) = DailyReportSchedule.Evaluate(new DayMarks(), false, null, 0, At(15, 7), Eight);

        Assert.False(due);
    }

    [Fact]
    public void Evaluate_AfterTheReportTime_IsDueOncePerDay()
    {
        var (days, first) = DailyReportSchedule.Evaluate(new DayMarks(), false, null, 0, At(15, 9), Eight);
        (days, var sameDay) = DailyReportSchedule.Evaluate(days, false, 0, 0, At(15, 23), Eight);
        (days, var nextDayEarly) = DailyReportSchedule.Evaluate(days, false, 0, 0, At(16, 7), Eight);
        var (_, nextDay) = DailyReportSchedule.Evaluate(days, false, 0, 0, At(16, 9), Eight);

        Assert.Equal((true, false, false, true), (first, sameDay, nextDayEarly, nextDay));
    }

    [Fact]
    public void Evaluate_NoReportTime_IsNeverDueButKeepsTheDayMarks()
    {
        var (days, due) = DailyReportSchedule.Evaluate(new DayMarks(), false, null, 500, At(15, 9), null);

        Assert.False(due);
        Assert.Equal(new DateOnly(2026, 11, 15), days.Date);
        Assert.Equal(500, days.Bytes);
    }

    [Fact]
    public void Evaluate_NextDay_YesterdayIsTheDifferenceBetweenFirstChecks()
    {
        var (days, _) = DailyReportSchedule.Evaluate(new DayMarks(), false, null, 1_000, At(14, 0), Eight);
        (days, _) = DailyReportSchedule.Evaluate(days, false, 1_000, 4_000, At(15, 0), Eight);

        Assert.Equal(3_000, days.YesterdayBytes);
    }

    [Fact]
    public void Evaluate_ANewPeriodOvernight_AddsTheLastPeriodsRestToTheNewPeriodsStart()
    {
        var (days, _) = DailyReportSchedule.Evaluate(new DayMarks(), false, null, 9_000, At(30, 0), Eight);

        (days, _) = DailyReportSchedule.Evaluate(days, true, 9_500, 200, At(new DateTimeOffset(2026, 12, 1, 0, 5, 0, TimeSpan.Zero)), Eight);

        Assert.Equal(700, days.YesterdayBytes);
    }

    [Fact]
    public void Evaluate_AGapOfDays_YesterdayIsUnknown()
    {
        var (days, _) = DailyReportSchedule.Evaluate(new DayMarks(), false, null, 1_000, At(10, 0), Eight);
        (days, _) = DailyReportSchedule.Evaluate(days, false, 1_000, 4_000, At(15, 0), Eight);

        Assert.Null(days.YesterdayBytes);
    }
}
