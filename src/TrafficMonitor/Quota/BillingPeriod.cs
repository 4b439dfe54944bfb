namespace TrafficMonitor.Quota;

/// <summary>
/// One billing period in local dates: from <see cref="Start"/> to the day before <see cref="End"/>.
/// A reset day that a month lacks (29–31) falls on that month's last day, so every period is contiguous.
/// </summary>
public readonly record struct BillingPeriod(DateOnly Start, DateOnly End)
{
    public DateOnly LastDay => End.AddDays(-1);

    public int Days => End.DayNumber - Start.DayNumber;

    public static BillingPeriod Containing(DateOnly today, int resetDay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(resetDay, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(resetDay, 31);

        var startThisMonth = StartIn(today.Year, today.Month, resetDay);
        var start = today >= startThisMonth ? startThisMonth : StartIn(today.AddMonths(-1).Year, today.AddMonths(-1).Month, resetDay);
        var following = start.AddMonths(1);
        return new BillingPeriod(start, StartIn(following.Year, following.Month, resetDay));
    }

    public static BillingPeriod Containing(DateTimeOffset localNow, int resetDay) =>
        Containing(DateOnly.FromDateTime(localNow.DateTime), resetDay);

    public bool Contains(DateOnly day) => day >= Start && day < End;

    /// <summary>The instant the period starts, at local midnight in <paramref name="zone"/>.</summary>
    public DateTimeOffset StartsAt(TimeZoneInfo zone) => LocalMidnight(Start, zone);

    public DateTimeOffset EndsAt(TimeZoneInfo zone) => LocalMidnight(End, zone);

    public override string ToString() => $"{Start:yyyy-MM-dd} to {LastDay:yyyy-MM-dd}";

    private static DateOnly StartIn(int year, int month, int resetDay) =>
        new(year, month, Math.Min(resetDay, DateTime.DaysInMonth(year, month)));

    private static DateTimeOffset LocalMidnight(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        // A zone that skips midnight (DST starting at 00:00) has no such local time: the day starts at the first valid minute.
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }
}
