using TrafficMonitor.Configuration;
using TrafficMonitor.State;

namespace TrafficMonitor.Quota;

/// <summary>What the critical action should do at this check.</summary>
public enum ActionVerdict
{
    /// <summary>Below the critical point, or the action is disabled.</summary>
    None,

    /// <summary>Run it now.</summary>
    Run,

    /// <summary>This process already ran it successfully this period.</summary>
    AlreadyDone,

    /// <summary>
    /// An earlier process (before a restart or reboot) ran it this period and usage is still over the critical point:
    /// wait for <see cref="QuotaDecision.ActionDeferredUntil"/> so a reboot never turns into a shutdown loop.
    /// </summary>
    DeferredAfterRestart,
}

/// <summary>The inputs of one evaluation; the caller supplies the clock readings.</summary>
public sealed record QuotaInputs(
    ThresholdsOptions Thresholds,
    ShutdownActionOptions Shutdown,
    BillingPeriod Period,
    long CountedBytes,
    MonitorState State,
    DateTimeOffset Now,
    Guid ProcessInstance);

/// <summary>What one check should do: notify a stage, notify critical, run or hold the action.</summary>
public sealed record QuotaDecision(
    MonitorState State,
    bool NewPeriodStarted,
    long? StageToNotify,
    bool NotifyCritical,
    ActionVerdict Action,
    DateTimeOffset? ActionDeferredUntil);

/// <summary>
/// The quota rules, pure: settings, usage, the period and the saved state in; what to notify and what to run out.
/// No I/O, no clock, no logging.
/// </summary>
public static class QuotaPolicy
{
    public static QuotaDecision Evaluate(QuotaInputs inputs)
    {
        var thresholds = inputs.Thresholds;
        var state = inputs.State;
        var newPeriod = state.PeriodStart != inputs.Period.Start;
        if (newPeriod)
        {
            state = MonitorState.ForPeriod(inputs.Period.Start);
        }

        var overCritical = inputs.CountedBytes >= thresholds.CriticalBytes;
        var notifyCritical = overCritical && !state.CriticalNotified;

        long? stage = HighestStageReached(thresholds, inputs.CountedBytes) is { } reached && reached > state.HighestStageNotified
            ? reached
            : null;

        var (verdict, deferredUntil) = DecideAction(inputs, state, overCritical);
        return new QuotaDecision(state, newPeriod && inputs.State.PeriodStart is not null, stage, notifyCritical, verdict, deferredUntil);
    }

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
    public static IReadOnlyList<long> StagesNotified(ThresholdsOptions thresholds, MonitorState state)
    {
        var stages = new List<long>();
        for (var stage = thresholds.Interval.Bytes; stage <= state.HighestStageNotified && stage <= thresholds.TotalLimit.Bytes; stage += thresholds.Interval.Bytes)
        {
            stages.Add(stage);
        }

        return stages;
    }

    public static decimal PercentUsed(ThresholdsOptions thresholds, long countedBytes) =>
        Math.Round(countedBytes * 100m / thresholds.TotalLimit.Bytes, 2);

    private static (ActionVerdict Verdict, DateTimeOffset? DeferredUntil) DecideAction(QuotaInputs inputs, MonitorState state, bool overCritical)
    {
        if (!overCritical || !inputs.Shutdown.Enabled)
        {
            return (ActionVerdict.None, null);
        }

        if (state.ActionLastRunAt is not { } lastRun)
        {
            return (ActionVerdict.Run, null);
        }

        if (state.ActionRunBy == inputs.ProcessInstance)
        {
            return (ActionVerdict.AlreadyDone, null);
        }

        var allowedAt = lastRun + inputs.Shutdown.BootGrace;
        return inputs.Now >= allowedAt ? (ActionVerdict.Run, null) : (ActionVerdict.DeferredAfterRestart, allowedAt);
    }
}
