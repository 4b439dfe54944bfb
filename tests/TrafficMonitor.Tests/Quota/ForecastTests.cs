using Microsoft.Extensions.Time.Testing;
using TrafficMonitor.Quota;
using TrafficMonitor.State;

namespace TrafficMonitor.Tests.Quota;

/// <summary>The forecast and the daily budget, pure: the clock is a FakeTimeProvider's, the zone UTC unless a test says.</summary>
public class ForecastTests
{
    private const long GB = 1_000_000_000;
    private const long Critical = 900 * GB;
    private static readonly BillingPeriod November = new(new DateOnly(2026, 11, 1), new DateOnly(2026, 12, 1));

    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 11, 16, 0, 0, 0, TimeSpan.Zero));

    private static Forecast Of(long used, DateTimeOffset now, IReadOnlyList<(DateOnly, long)>? days = null, BillingPeriod? period = null, long critical = Critical) =>
        Forecasts.Of(period ?? November, used, critical, days ?? [], now, TimeZoneInfo.Utc);

    private static List<(DateOnly, long)> Daily(DateOnly from, DateOnly through, long bytes)
    {
        var days = new List<(DateOnly, long)>();
        for (var day = from; day <= through; day = day.AddDays(1))
        {
            days.Add((day, bytes));
        }

        return days;
    }

    [Fact]
    public void Of_HalfwayAtAnEvenRate_ProjectsTwiceTheUsageBothWays()
    {
        // 15 days of 20 GB: 300 GB at midnight of the 16th of a 30-day period.
        var forecast = Of(300 * GB, Clock.GetUtcNow(), Daily(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 15), 20 * GB));

        Assert.Equal(600 * GB, forecast.LinearBytes);
        Assert.Equal(600 * GB, forecast.ProjectedBytes);
        Assert.Equal(20 * GB, forecast.RecentBytesPerDay);
        Assert.Null(forecast.CriticalAt);
        Assert.Equal(15, forecast.DaysLeft);
        Assert.Equal(40 * GB, forecast.DailyBudgetBytes);
        Assert.True(forecast.Settled);
    }

    [Fact]
    public void Of_BusyLastDays_RecentRateOutrunsTheLinearEstimate()
    {
        // Ten quiet days, then five of 100 GB: the average says 350 GB by the end, the last days say the critical point.
        var days = Daily(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 10), 5 * GB).Concat(Daily(new DateOnly(2026, 11, 11), new DateOnly(2026, 11, 15), 100 * GB)).ToList();
        var forecast = Of(550 * GB, Clock.GetUtcNow(), days);

        Assert.Equal(1100 * GB, forecast.LinearBytes);
        Assert.True(forecast.RecentBytesPerDay > 80 * GB, $"recent rate {forecast.RecentBytesPerDay}");
        Assert.True(forecast.ProjectedBytes > forecast.LinearBytes);
        Assert.NotNull(forecast.CriticalAt);
        Assert.Equal(DateOnly.FromDateTime(forecast.CriticalAt!.Value.UtcDateTime), forecast.CriticalDay);
        Assert.InRange(forecast.CriticalAt.Value, Clock.GetUtcNow().AddDays(3), Clock.GetUtcNow().AddDays(5));
        Assert.Equal((900 - 550) * GB / 15, forecast.DailyBudgetBytes);
    }

    [Fact]
    public void Of_EvenRate_CriticalAtIsWhenTheRateReachesIt()
    {
        // 60 GB a day: 900 GB (the critical point) after 15 days exactly.
        var forecast = Of(600 * GB, new DateTimeOffset(2026, 11, 11, 0, 0, 0, TimeSpan.Zero), Daily(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 10), 60 * GB));

        Assert.Equal(new DateTimeOffset(2026, 11, 16, 0, 0, 0, TimeSpan.Zero), forecast.CriticalAt);
        Assert.Equal(new DateOnly(2026, 11, 16), forecast.CriticalDay);
    }

    [Fact]
    public void Of_ZeroUsage_ProjectsZeroAndTheWholeBudget()
    {
        var forecast = Of(0, Clock.GetUtcNow(), Daily(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 15), 0));

        Assert.Equal(0, forecast.LinearBytes);
        Assert.Equal(0, forecast.ProjectedBytes);
        Assert.Equal(0, forecast.RecentBytesPerDay);
        Assert.Null(forecast.CriticalAt);
        Assert.Equal(Critical / 15, forecast.DailyBudgetBytes);
    }

    [Fact]
    public void Of_FirstMinutesOfThePeriod_IsNotSettled()
    {
        // A backup at 00:10 on the first day would project absurdly: the forecast says so rather than warn.
        var now = new DateTimeOffset(2026, 11, 1, 0, 10, 0, TimeSpan.Zero);
        var forecast = Of(10 * GB, now, [(new DateOnly(2026, 11, 1), 10 * GB)]);

        Assert.False(forecast.Settled);
        Assert.NotNull(forecast.CriticalAt);
        Assert.Equal(30, forecast.DaysLeft);
        Assert.Equal(890 * GB / 30, forecast.DailyBudgetBytes);
    }

    [Fact]
    public void Of_AtTheVeryStartOfThePeriod_DividesByNothing()
    {
        var forecast = Of(0, new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(0, forecast.LinearBytes);
        Assert.Equal(0, forecast.ProjectedBytes);
        Assert.Null(forecast.CriticalAt);
        Assert.False(forecast.Settled);
    }

    [Fact]
    public void Of_AlreadyOverTheCriticalPoint_SaysReachedAndLeavesNoBudget()
    {
        var forecast = Of(950 * GB, Clock.GetUtcNow(), Daily(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 15), 63 * GB));

        Assert.True(forecast.CriticalReached);
        Assert.Null(forecast.CriticalAt);
        Assert.Equal(0, forecast.DailyBudgetBytes);
        Assert.True(forecast.ProjectedBytes > 950 * GB);
    }

    [Fact]
    public void Of_WithoutDayRows_UsesThePeriodsAverage()
    {
        var forecast = Of(300 * GB, Clock.GetUtcNow());

        Assert.Equal(20 * GB, forecast.RecentBytesPerDay);
        Assert.Equal(600 * GB, forecast.ProjectedBytes);
        Assert.True(forecast.Settled);
    }

    [Fact]
    public void Of_LedgerStartedMidPeriod_IgnoresTheDaysBeforeItKnewAnything()
    {
        // set-usage covered the first ten days (500 GB); the ledger has counted 10 GB a day since.
        var forecast = Of(550 * GB, Clock.GetUtcNow(), Daily(new DateOnly(2026, 11, 11), new DateOnly(2026, 11, 15), 10 * GB));

        Assert.Equal(10 * GB, forecast.RecentBytesPerDay);
        Assert.Equal(700 * GB, forecast.ProjectedBytes);
    }

    [Theory]
    [InlineData(29, 2027, 2, 15, 30)] // 29 January to 27 February 2027: 28 February stands in for the 29th
    [InlineData(31, 2026, 11, 15, 30)] // 31 October to 29 November: 30 November stands in for the 31st
    [InlineData(30, 2028, 2, 10, 30)] // 30 January to 28 February 2028: the leap day stands in for the 30th
    [InlineData(31, 2027, 2, 28, 31)] // 28 February (for the 31st) to 30 March
    public void Of_ResetDaysThatMonthsLack_UseThePeriodsRealLength(int resetDay, int year, int month, int day, int periodDays)
    {
        var today = new DateOnly(year, month, day);
        var period = BillingPeriod.Containing(today, resetDay);
        Assert.Equal(periodDays, period.Days);
        var now = new DateTimeOffset(today.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);
        var elapsed = (now - period.StartsAt(TimeZoneInfo.Utc)).TotalDays;
        var used = (long)(elapsed * 10 * GB);
        var forecast = Of(used, now, Daily(period.Start, today, 10 * GB).Select(d => d.Item1 == today ? (d.Item1, 5 * GB) : d).ToList(), period);

        Assert.Equal(periodDays * 10 * GB, forecast.LinearBytes);
        Assert.Equal(periodDays * 10 * GB, forecast.ProjectedBytes);
        Assert.Equal(period.End.DayNumber - today.DayNumber, forecast.DaysLeft);
    }

    [Fact]
    public void Of_OnThePeriodsLastDay_BudgetIsAllThatRemains()
    {
        var forecast = Of(800 * GB, new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero), Daily(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 30), 26 * GB));

        Assert.Equal(1, forecast.DaysLeft);
        Assert.Equal(100 * GB, forecast.DailyBudgetBytes);
    }

    [Fact]
    public void Of_LocalZone_DaysAreLocalDays()
    {
        // In UTC+5 the period starts five hours earlier than in UTC.
        var zone = TimeZoneInfo.CreateCustomTimeZone("UTC+5", TimeSpan.FromHours(5), "UTC+5", "UTC+5");
        var now = new DateTimeOffset(2026, 11, 15, 19, 0, 0, TimeSpan.Zero); // 16 November, midnight local
        var forecast = Forecasts.Of(November, 300 * GB, Critical, [], now, zone);

        Assert.Equal(600 * GB, forecast.LinearBytes);
        Assert.Equal(15, forecast.DaysLeft);
    }
}

/// <summary>The forecast warning: once per period, again only when the day moves a day or more earlier.</summary>
public class ForecastPolicyTests
{
    private static readonly DateOnly November = new(2026, 11, 1);

    private static Forecast Reaching(DateOnly day, bool settled = true) => new(
        50, 1000, 800, new DateTimeOffset(day.ToDateTime(new TimeOnly(15, 0)), TimeSpan.Zero), day, false, 10, 5, settled ? 48 : 3);

    [Fact]
    public void Evaluate_CriticalBeforeTheEnd_NotifiesOnceAndRemembersTheDay()
    {
        var (alerts, notify) = ForecastPolicy.Evaluate(Reaching(new DateOnly(2026, 11, 25)), PeriodAlerts.For(November));

        Assert.True(notify);
        Assert.Equal(new DateOnly(2026, 11, 25), alerts.ForecastCriticalDay);
        Assert.False(ForecastPolicy.Evaluate(Reaching(new DateOnly(2026, 11, 25)), alerts).Notify);
    }

    [Fact]
    public void Evaluate_DayMovesLater_OrLessThanADayEarlier_SaysNothing()
    {
        var told = PeriodAlerts.For(November) with { ForecastCriticalDay = new DateOnly(2026, 11, 25) };

        Assert.False(ForecastPolicy.Evaluate(Reaching(new DateOnly(2026, 11, 28)), told).Notify);
        Assert.Equal(new DateOnly(2026, 11, 25), ForecastPolicy.Evaluate(Reaching(new DateOnly(2026, 11, 28)), told).Alerts.ForecastCriticalDay);
    }

    [Fact]
    public void Evaluate_DayMovesADayEarlier_NotifiesAgain()
    {
        var told = PeriodAlerts.For(November) with { ForecastCriticalDay = new DateOnly(2026, 11, 25) };

        var (alerts, notify) = ForecastPolicy.Evaluate(Reaching(new DateOnly(2026, 11, 24)), told);

        Assert.True(notify);
        Assert.Equal(new DateOnly(2026, 11, 24), alerts.ForecastCriticalDay);
    }

    [Fact]
    public void Evaluate_NotSettled_SaysNothing() =>
        Assert.False(ForecastPolicy.Evaluate(Reaching(new DateOnly(2026, 11, 25), settled: false), PeriodAlerts.For(November)).Notify);

    [Fact]
    public void Evaluate_CriticalAlreadyNotified_LeavesItToTheCriticalAlert() =>
        Assert.False(ForecastPolicy.Evaluate(Reaching(new DateOnly(2026, 11, 25)), PeriodAlerts.For(November) with { CriticalNotified = true }).Notify);

    [Fact]
    public void Evaluate_NotBeforeTheEnd_SaysNothing()
    {
        var safe = new Forecast(10, 500, 500, null, null, false, 10, 40, 48);
        Assert.False(ForecastPolicy.Evaluate(safe, PeriodAlerts.For(November)).Notify);
    }
}
