using TrafficMonitor.Usage;

namespace TrafficMonitor.Quota;

/// <summary>
/// Where the period is heading, from one check's numbers. Byte counts are exact integers; rates are bytes per day.
/// </summary>
/// <param name="RecentBytesPerDay">The recent rate: the last days' traffic, each day weighing half as much as the one after it every <see cref="Forecasts.HalfLifeDays"/> days.</param>
/// <param name="ProjectedBytes">Usage at the period's end at the recent rate.</param>
/// <param name="LinearBytes">Usage at the period's end at the period's average rate (used ÷ elapsed × period length), as vnStat estimates.</param>
/// <param name="CriticalAt">When the critical point is reached at the recent rate; null when already reached or not before the period ends.</param>
/// <param name="CriticalDay">The local day of <paramref name="CriticalAt"/>.</param>
/// <param name="CriticalReached">Usage is already at or past the critical point.</param>
/// <param name="DaysLeft">Local days left in the period, today included.</param>
/// <param name="DailyBudgetBytes">What each day left (today included) may use without reaching the critical point: remaining ÷ days left.</param>
/// <param name="BasisHours">How many hours of traffic the recent rate rests on.</param>
public sealed record Forecast(
    long RecentBytesPerDay,
    long ProjectedBytes,
    long LinearBytes,
    DateTimeOffset? CriticalAt,
    DateOnly? CriticalDay,
    bool CriticalReached,
    int DaysLeft,
    long DailyBudgetBytes,
    double BasisHours)
{
    /// <summary>The critical point would be reached before the period ends, at the recent rate.</summary>
    public bool CriticalBeforePeriodEnd => CriticalAt is not null;

    /// <summary>Rests on at least a day of traffic: a few busy minutes just after the reset say little about the month.</summary>
    public bool Settled => BasisHours >= Forecasts.SettledAfterHours;
}

/// <summary>The forecast, pure: no clock, no I/O. The caller passes the check's instant and the local time zone.</summary>
public static class Forecasts
{
    /// <summary>A day's weight halves every this many days back: yesterday weighs 0.71 of today, a week ago 0.09.</summary>
    public const double HalfLifeDays = 2;

    /// <summary>Days looked back for the recent rate (today included).</summary>
    public const int WindowDays = 7;

    public const double SettledAfterHours = 24;

    private const double SecondsPerDay = 86_400;

    /// <summary>The forecast of one reading: its counted bytes and its days, counted as the settings count.</summary>
    public static Forecast Of(UsageReading reading, Configuration.CountMode count, Configuration.ThresholdsOptions thresholds, DateTimeOffset now, TimeZoneInfo zone) =>
        Of(reading.Period, reading.Counted(count), thresholds.CriticalBytes, reading.Days.Select(d => (d.Date, reading.CountedOn(d, count))).ToList(), now, zone);

    /// <param name="usedBytes">Counted so far this period (with every calibration).</param>
    /// <param name="days">What each local day counted (oldest first); days with no traffic may be missing. Empty when unknown: then the recent rate is the period's average.</param>
    /// <param name="now">The check's instant.</param>
    public static Forecast Of(BillingPeriod period, long usedBytes, long criticalBytes, IReadOnlyList<(DateOnly Date, long Bytes)> days, DateTimeOffset now, TimeZoneInfo zone)
    {
        var startsAt = period.StartsAt(zone);
        var endsAt = period.EndsAt(zone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var elapsed = Math.Clamp((now - startsAt).TotalSeconds, 0, (endsAt - startsAt).TotalSeconds);
        var remainingSeconds = Math.Max(0, (endsAt - now).TotalSeconds);
        var linear = elapsed <= 0 ? usedBytes : Saturate(usedBytes / elapsed * (endsAt - startsAt).TotalSeconds);

        var (rate, basis) = RecentRate(period, days, today, now, zone);
        if (basis <= 0)
        {
            // No day rows: the period's own average is the only rate there is.
            (rate, basis) = elapsed > 0 ? (usedBytes / elapsed, elapsed) : (0, 0);
        }

        var projected = Saturate(usedBytes + (rate * remainingSeconds));
        var reached = usedBytes >= criticalBytes;
        DateTimeOffset? criticalAt = null;
        if (!reached && rate > 0)
        {
            var seconds = (criticalBytes - usedBytes) / rate;
            if (seconds < remainingSeconds)
            {
                criticalAt = now.AddSeconds(Math.Round(seconds));
            }
        }

        var daysLeft = Math.Max(1, period.End.DayNumber - Math.Max(today.DayNumber, period.Start.DayNumber));
        var budget = Math.Max(0, criticalBytes - usedBytes) / daysLeft;
        DateOnly? criticalDay = criticalAt is { } at ? DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime) : null;
        return new Forecast((long)Math.Round(rate * SecondsPerDay), projected, linear, criticalAt, criticalDay, reached, daysLeft, budget, Math.Round(basis / 3600, 2));
    }

    /// <summary>
    /// Bytes per second over the last <see cref="WindowDays"/> local days, each weighted by its age; today counts for the
    /// part of it that has passed. Days before the first one with traffic are left out (a ledger started mid-period
    /// knows nothing of them). Returns the seconds of traffic it rests on.
    /// </summary>
    private static (double BytesPerSecond, double BasisSeconds) RecentRate(
        BillingPeriod period, IReadOnlyList<(DateOnly Date, long Bytes)> days, DateOnly today, DateTimeOffset now, TimeZoneInfo zone)
    {
        var known = days.Where(d => period.Contains(d.Date) && d.Date <= today).ToList();
        if (known.Count == 0)
        {
            return (0, 0);
        }

        var first = known.Min(d => d.Date);
        var from = new[] { first, period.Start, today.AddDays(1 - WindowDays) }.Max();
        double bytes = 0, seconds = 0, basis = 0;
        for (var day = from; day <= today; day = day.AddDays(1))
        {
            var dayStart = new BillingPeriod(day, day.AddDays(1)).StartsAt(zone);
            var dayEnd = new BillingPeriod(day, day.AddDays(1)).EndsAt(zone);
            var covered = Math.Max(0, ((day == today ? now : dayEnd) - dayStart).TotalSeconds);
            var weight = Math.Pow(0.5, (today.DayNumber - day.DayNumber) / HalfLifeDays);
            bytes += weight * known.Where(d => d.Date == day).Sum(d => (double)d.Bytes);
            seconds += weight * covered;
            basis += covered;
        }

        return seconds > 0 ? (bytes / seconds, basis) : (0, 0);
    }

    private static long Saturate(double bytes) => bytes >= long.MaxValue ? long.MaxValue : (long)Math.Round(bytes);
}
