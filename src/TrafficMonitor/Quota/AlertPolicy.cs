using TrafficMonitor.Configuration;
using TrafficMonitor.State;

namespace TrafficMonitor.Quota;

/// <summary>What to tell the admin at this check, and the alert records once it is told.</summary>
/// <param name="Alerts">The latest period's alerts.</param>
/// <param name="EarlierAlerts">An earlier period's, kept for a clock that moves back into it.</param>
/// <param name="ClockBehind">The period is earlier than the latest one seen: the clock or the time zone moved back.</param>
public sealed record AlertDecision(
    PeriodAlerts Alerts, PeriodAlerts EarlierAlerts, bool NewPeriodStarted, bool ClockBehind, long? StageToNotify, bool NotifyCritical);

/// <summary>
/// The alert rules, pure: a stage at every multiple of the interval, the critical point, a new period re-arming both.
/// The period never moves backwards: a period earlier than the latest one seen is not new, re-arms nothing, and its
/// own alerts (kept) are not sent twice.
/// </summary>
public static class AlertPolicy
{
    public static AlertDecision Evaluate(ThresholdsOptions thresholds, BillingPeriod period, long countedBytes, MonitorState saved)
    {
        var latest = saved.Alerts;
        var newPeriod = latest.PeriodStart is { } seen && period.Start > seen;
        var clockBehind = latest.PeriodStart is { } last && period.Start < last;
        var alerts = In(saved, period);
        var notifyCritical = countedBytes >= thresholds.CriticalBytes && !alerts.CriticalNotified;
        long? stage = HighestStageReached(thresholds, countedBytes) is { } reached && reached > alerts.HighestStageNotified
            ? reached
            : null;

        // Queuing is the moment an alert counts as notified. The critical message carries the numbers, so it stands
        // for any stage crossed at the same check.
        if (notifyCritical)
        {
            alerts = alerts with { CriticalNotified = true, HighestStageNotified = Math.Max(alerts.HighestStageNotified, stage ?? 0) };
        }
        else if (stage is { } notified)
        {
            alerts = alerts with { HighestStageNotified = notified };
        }

        return clockBehind
            ? new AlertDecision(latest, alerts, false, true, stage, notifyCritical)
            : new AlertDecision(alerts, newPeriod ? latest : saved.EarlierAlerts, newPeriod, false, stage, notifyCritical);
    }

    /// <summary>The alerts the saved state holds for <paramref name="period"/>; none for a period it has not seen.</summary>
    public static PeriodAlerts In(MonitorState saved, BillingPeriod period) =>
        saved.Alerts.PeriodStart == period.Start ? saved.Alerts
        : saved.EarlierAlerts.PeriodStart == period.Start ? saved.EarlierAlerts
        : PeriodAlerts.For(period.Start);

    /// <summary>The highest multiple of the interval (up to the limit) at or below <paramref name="countedBytes"/>, or null below the first.</summary>
    public static long? HighestStageReached(ThresholdsOptions thresholds, long countedBytes)
    {
        var interval = thresholds.Interval.Bytes;
        var reachable = Math.Min(countedBytes, thresholds.TotalLimit.Bytes);
        var count = reachable / interval;
        return count >= 1 ? count * interval : null;
    }

    /// <summary>The next stage above <paramref name="countedBytes"/>, or null when every stage is behind.</summary>
    public static long? NextStage(ThresholdsOptions thresholds, long countedBytes)
    {
        var next = ((countedBytes / thresholds.Interval.Bytes) + 1) * thresholds.Interval.Bytes;
        return next <= thresholds.TotalLimit.Bytes ? next : null;
    }

    /// <summary>Every stage notified this period, from the lowest.</summary>
    public static IReadOnlyList<long> StagesNotified(ThresholdsOptions thresholds, PeriodAlerts alerts)
    {
        var stages = new List<long>();
        for (var stage = thresholds.Interval.Bytes; stage <= alerts.HighestStageNotified && stage <= thresholds.TotalLimit.Bytes; stage += thresholds.Interval.Bytes)
        {
            stages.Add(stage);
        }

        return stages;
    }

    public static decimal PercentUsed(ThresholdsOptions thresholds, long countedBytes) =>
        Math.Round(countedBytes * 100m / thresholds.TotalLimit.Bytes, 2);
}
