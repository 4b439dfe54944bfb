using TrafficMonitor.Quota;

namespace TrafficMonitor.Tests.Quota;

public class BillingPeriodTests
{
    public static TheoryData<int> ResetDays()
    {
        var days = new TheoryData<int>();
        for (var day = 1; day <= 31; day++)
        {
            days.Add(day);
        }

        return days;
    }

    /// <summary>
    /// Walks every day of 2023–2025 (a leap February, short months) for each reset day: every day lies in exactly
    /// one period, periods are contiguous, and each starts on the reset day or, in a month without it, on the last day.
    /// </summary>
    [Theory]
    [MemberData(nameof(ResetDays))]
    public void Containing_EveryResetDay_TilesTheCalendarWithoutGapsOrOverlaps(int resetDay)
    {
        BillingPeriod? previous = null;
        for (var day = new DateOnly(2023, 1, 1); day <= new DateOnly(2025, 12, 31); day = day.AddDays(1))
        {
            var period = BillingPeriod.Containing(day, resetDay);
            Assert.True(period.Contains(day), $"{day} not in {period}");
            Assert.Equal(Math.Min(resetDay, DateTime.DaysInMonth(period.Start.Year, period.Start.Month)), period.Start.Day);
            Assert.InRange(period.Days, 28, 31);
            if (previous is { } p && p != period)
            {
                Assert.Equal(p.End, period.Start);
            }

            previous = period;
        }
    }

    [Theory]
    [InlineData("2024-02-29", 31, "2024-02-29", "2024-03-31")]
    [InlineData("2024-03-30", 31, "2024-02-29", "2024-03-31")]
    [InlineData("2024-03-31", 31, "2024-03-31", "2024-04-30")]
    [InlineData("2023-02-28", 30, "2023-02-28", "2023-03-30")]
    [InlineData("2023-02-27", 30, "2023-01-30", "2023-02-28")]
    [InlineData("2024-01-15", 1, "2024-01-01", "2024-02-01")]
    [InlineData("2024-12-31", 1, "2024-12-01", "2025-01-01")]
    [InlineData("2025-01-04", 5, "2024-12-05", "2025-01-05")]
    [InlineData("2025-01-05", 5, "2025-01-05", "2025-02-05")]
    [InlineData("2024-02-29", 29, "2024-02-29", "2024-03-29")]
    [InlineData("2023-02-28", 29, "2023-02-28", "2023-03-29")]
    public void Containing_ShortMonthsAndYearEnds_FollowTheRule(string today, int resetDay, string start, string end)
    {
        var period = BillingPeriod.Containing(DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture), resetDay);
        Assert.Equal(DateOnly.Parse(start, System.Globalization.CultureInfo.InvariantCulture), period.Start);
        Assert.Equal(DateOnly.Parse(end, System.Globalization.CultureInfo.InvariantCulture), period.End);
    }

    [Fact]
    public void StartsAt_IsLocalMidnightInTheZone()
    {
        var zone = TimeZoneInfo.CreateCustomTimeZone("UTC+9", TimeSpan.FromHours(9), "UTC+9", "UTC+9");
        var period = new BillingPeriod(new DateOnly(2026, 11, 1), new DateOnly(2026, 12, 1));
        Assert.Equal(new DateTimeOffset(2026, 10, 31, 15, 0, 0, TimeSpan.Zero), period.StartsAt(zone).ToUniversalTime());
    }
}

public class BillingPeriodClockTests
{
    private static readonly TimeZoneInfo Tokyo = TimeZoneInfo.CreateCustomTimeZone("UTC+9", TimeSpan.FromHours(9), "UTC+9", "UTC+9");

    /// <summary>Periods follow the local calendar, as vnStat's rows do: 16:00 UTC on the 30th is already the 1st in UTC+9.</summary>
    [Theory]
    [InlineData("2026-11-30T14:59:59Z", 1, "2026-11-01")]
    [InlineData("2026-11-30T15:00:00Z", 1, "2026-12-01")]
    [InlineData("2028-02-28T15:00:00Z", 31, "2028-02-29")]
    [InlineData("2027-02-27T15:00:00Z", 30, "2027-02-28")]
    [InlineData("2027-02-27T14:59:00Z", 30, "2027-01-30")]
    public void Containing_LocalNowFromTheClock_UsesTheLocalDate(string utc, int resetDay, string expectedStart)
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture));
        time.SetLocalTimeZone(Tokyo);
        var period = BillingPeriod.Containing(time.GetLocalNow(), resetDay);
        Assert.Equal(DateOnly.Parse(expectedStart, System.Globalization.CultureInfo.InvariantCulture), period.Start);
        Assert.True(period.StartsAt(time.LocalTimeZone) <= time.GetUtcNow());
        Assert.True(period.EndsAt(time.LocalTimeZone) > time.GetUtcNow());
    }
}
