namespace TrafficMonitor.Quota;

/// <summary>Where the period's usage is heading. Pure: the instant of the reading is given, never read from a clock.</summary>
public static class Forecast
{
    /// <summary>
    /// The plain linear estimate at period end, as vnStat's <c>getestimates</c> makes it: bytes used so far ÷ time
    /// elapsed × period length. Null when too little of the period has passed to say anything (under a minute), or
    /// when <paramref name="at"/> is outside the period.
    /// </summary>
    public static long? Linear(long usedBytes, DateTimeOffset periodStart, DateTimeOffset periodEnd, DateTimeOffset at)
    {
        var elapsed = (at - periodStart).TotalSeconds;
        var length = (periodEnd - periodStart).TotalSeconds;
        if (elapsed < 60 || elapsed > length || length <= 0)
        {
            return null;
        }

        var estimate = usedBytes / elapsed * length;
        return estimate >= long.MaxValue ? long.MaxValue : (long)Math.Round(estimate, MidpointRounding.AwayFromZero);
    }
}
