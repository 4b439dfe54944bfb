using TrafficMonitor.Configuration;
using TrafficMonitor.State;

namespace TrafficMonitor.Quota;

/// <summary>What to tell the admin at this check, and the period's alerts once it is told.</summary>
public sealed record AlertDecision(PeriodAlerts Alerts, bool NewPeriodStarted, long? StageToNotify, bool NotifyCritical);

/// <summary>The alert rules, pure: a stage at every multiple of the interval, the critical point, a new period re-arming both.</summary>
public static class AlertPolicy
{
    public static AlertDecision Evaluate(ThresholdsOptions thresholds, BillingPeriod period, long countedBytes, PeriodAlerts saved)
    {
        var alerts = saved.PeriodStart == period.Start ? saved : PeriodAlerts.For(period.Start);
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

        var newPeriod = saved.PeriodStart is not null && saved.PeriodStart != period.Start;
        return new AlertDecision(alerts, newPeriod, stage, notifyCritical);
    }

    /// <summary>The period's alerts as the saved state holds them: those of an earlier period count for nothing.</summary>
    public static PeriodAlerts In(PeriodAlerts saved, BillingPeriod period) =>
        saved.PeriodStart == period.Start ? saved : PeriodAlerts.For(period.Start);

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
