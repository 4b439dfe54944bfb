namespace TrafficMonitor.Quota;

/// <summary>One reading of the clock for one check: the instant, and the local day and billing period it falls in.</summary>
public readonly record struct CheckTime(DateTimeOffset Now, DateTimeOffset LocalNow)
{
    public static CheckTime From(TimeProvider timeProvider)
    {
        var now = timeProvider.GetUtcNow();
        return new CheckTime(now, TimeZoneInfo.ConvertTime(now, timeProvider.LocalTimeZone));
    }

    public DateOnly Today => DateOnly.FromDateTime(LocalNow.DateTime);

    public TimeOnly LocalTimeOfDay => TimeOnly.FromDateTime(LocalNow.DateTime);

    public BillingPeriod Period(int resetDay) => BillingPeriod.Containing(Today, resetDay);
}
