using TrafficMonitor.Quota;

namespace TrafficMonitor.Tests.Quota;

public sealed class ForecastTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset End = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Linear_TenDaysOfThirty_IsThreeTimesTheUsage()
    {
        Assert.Equal(300, Forecast.Linear(100, Start, End, Start.AddDays(10)));
    }

    [Fact]
    public void Linear_AtTheEnd_IsTheUsage()
    {
        Assert.Equal(123_456_789_012, Forecast.Linear(123_456_789_012, Start, End, End));
    }

    [Fact]
    public void Linear_InThePeriodsFirstMinute_SaysNothing()
    {
        // One burst in the first seconds would project to anything.
        Assert.Null(Forecast.Linear(1_000_000, Start, End, Start.AddSeconds(30)));
    }

    [Fact]
    public void Linear_OutsideThePeriod_SaysNothing()
    {
        Assert.Null(Forecast.Linear(100, Start, End, Start.AddDays(-1)));
        Assert.Null(Forecast.Linear(100, Start, End, End.AddDays(1)));
    }
}
