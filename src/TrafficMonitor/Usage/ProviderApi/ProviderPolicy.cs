using TrafficMonitor.Quota;

namespace TrafficMonitor.Usage.ProviderApi;

/// <summary>
/// The provider meter's rules, pure: when to ask the API again, what a good or failed answer changes, how the
/// provider's figure and the own counters combine, and when their disagreement is worth telling.
/// </summary>
public static class ProviderPolicy
{
    /// <summary>Failed polls back off, doubling from <c>poll</c>, up to this (or <c>poll</c>, when longer).</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(6);

    /// <summary>A Retry-After longer than this is taken as this: a server's mistake must not blind the monitor for weeks.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromDays(1);

    /// <summary>
    /// Comparisons over less traffic or a shorter time say more about the provider's lag (its meter is updated now
    /// and then, the own counters are live) than about what is counted.
    /// </summary>
    public const long MinCompareBytes = 1L << 30;

    public static readonly TimeSpan MinCompareSpan = TimeSpan.FromHours(1);

    /// <summary>When the API may be asked next: never sooner than <paramref name="poll"/> after the last attempt.</summary>
    public static DateTimeOffset NextPollAt(ProviderRecord record, TimeSpan poll)
    {
        if (record.LastAttemptAt is not { } last)
        {
            return DateTimeOffset.MinValue;
        }

        if (record.Failures == 0)
        {
            return last + poll;
        }

        var next = last + Backoff(poll, record.Failures);
        return record.RetryNotBefore is { } retry && retry > next ? retry : next;
    }

    /// <summary>poll, 2×poll, 4×poll… after 1, 2, 3… failures in a row, at most <see cref="MaxBackoff"/> (or poll, when longer).</summary>
    public static TimeSpan Backoff(TimeSpan poll, int failures)
    {
        var cap = poll > MaxBackoff ? poll : MaxBackoff;
        var factor = Math.Pow(2, Math.Clamp(failures - 1, 0, 16));
        return poll * factor > cap ? cap : poll * factor;
    }

    /// <param name="ownBytes">The own counters' figure for <paramref name="period"/> at the moment of the reading, in the provider's measure.</param>
    public static ProviderRecord Succeeded(ProviderRecord record, ProviderMeterReading reading, long ownBytes, BillingPeriod period)
    {
        var point = new ProviderPoint(reading.ReadAt, reading.BilledBytes, ownBytes);
        var samePeriod = record.PeriodStart == period.Start && record.First is not null;
        return record with
        {
            PeriodStart = period.Start,
            First = samePeriod ? record.First : point,
            Last = point,
            RxBytes = reading.RxBytes,
            TxBytes = reading.TxBytes,
            Multiplier = reading.Multiplier,
            LimitBytes = reading.LimitBytes ?? record.LimitBytes,
            NextReset = reading.NextReset ?? record.NextReset,
            LastAttemptAt = reading.ReadAt,
            Failures = 0,
            LastError = null,
            FailingSince = null,
            RetryNotBefore = null,
        };
    }

    public static ProviderRecord Failed(ProviderRecord record, DateTimeOffset now, string error, TimeSpan? retryAfter) => record with
    {
        LastAttemptAt = now,
        Failures = record.Failures + 1,
        LastError = error,
        FailingSince = record.FailingSince ?? now,
        RetryNotBefore = retryAfter is { } wait ? now + (wait > MaxRetryAfter ? MaxRetryAfter : wait) : null,
    };

    /// <summary>
    /// The provider's figure at its last good reading in <paramref name="period"/> plus what the own counters moved
    /// since; without such a reading, the own counters' figure alone.
    /// </summary>
    /// <param name="ownBytes">The own counters' figure for the period now, in the provider's measure, before the multiplier.</param>
    public static ProviderFigures Combine(ProviderRecord record, BillingPeriod period, long ownBytes, string kind, string billing)
    {
        var multiplier = record.Multiplier;
        var last = record.PeriodStart == period.Start ? record.Last : null;
        var since = last is null ? 0 : Scale(Math.Max(0, ownBytes - last.OwnBytes), multiplier);
        var billed = last is null ? Scale(ownBytes, multiplier) : last.ProviderBytes + since;
        var comparison = last is not null && record.First is { } first && first != last ? Compare(first, last, multiplier) : null;
        return new ProviderFigures(
            kind, billing, billed, Scale(ownBytes, multiplier), last, since, record.LimitBytes, record.NextReset,
            record.Failures > 0 ? record.LastError : null, comparison);
    }

    /// <summary>Both counts over the interval between two readings; null when the own counters went back (a lost ledger).</summary>
    public static ProviderComparison? Compare(ProviderPoint from, ProviderPoint to, decimal multiplier) =>
        to.OwnBytes < from.OwnBytes || to.ProviderBytes < from.ProviderBytes
            ? null
            : new ProviderComparison(from.ReadAt, to.ReadAt, to.ProviderBytes - from.ProviderBytes, Scale(to.OwnBytes - from.OwnBytes, multiplier));

    /// <summary>The counts differ by more than <paramref name="tolerancePercent"/> of the provider's, over enough traffic and time to mean it.</summary>
    public static bool Disagrees(ProviderComparison comparison, decimal tolerancePercent) =>
        Math.Max(comparison.ProviderBytes, comparison.OwnBytes) >= MinCompareBytes
        && comparison.To - comparison.From >= MinCompareSpan
        && Math.Abs((decimal)comparison.DifferenceBytes) * 100 > tolerancePercent * Math.Max(comparison.ProviderBytes, 1);

    /// <summary>A disagreement is told once per period.</summary>
    public static bool ShouldReport(ProviderRecord record, BillingPeriod period, ProviderComparison? comparison, decimal tolerancePercent) =>
        comparison is not null && record.DisagreementReported != period.Start && Disagrees(comparison, tolerancePercent);

    /// <summary>The local day of the month the provider's counter resets on, from its next reset.</summary>
    public static int? ResetDay(DateTimeOffset? nextReset, TimeZoneInfo zone) =>
        nextReset is { } next ? TimeZoneInfo.ConvertTime(next, zone).Day : null;

    public static long Scale(long bytes, decimal multiplier) =>
        multiplier == 1 ? bytes : (long)Math.Round(bytes * multiplier, MidpointRounding.AwayFromZero);
}
