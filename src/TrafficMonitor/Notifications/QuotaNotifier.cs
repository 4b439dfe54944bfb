using TrafficMonitor.Monitoring;
using TrafficMonitor.Quota;
using TrafficMonitor.State;

namespace TrafficMonitor.Notifications;

/// <summary>
/// Turns what the policy decided into messages in the outbox (a dry run marks each one as such), and has them
/// delivered in the background (<see cref="DeliveryPump"/>).
/// </summary>
public sealed class QuotaNotifier(NotificationDispatcher dispatcher, DeliveryPump delivery, RunMode runMode)
{
    /// <summary>Why the outbox cannot be kept on disk right now (it is delivered from memory); null when it can.</summary>
    public string? OutboxProblem => dispatcher.OutboxProblem;

    /// <summary>Starts delivering what is queued; returns at once, so a hung channel never delays the check.</summary>
    public void Deliver() => delivery.Kick();

    /// <summary>Completes when nothing is being delivered (each channel bounded by its timeout): for --once and the service's stop.</summary>
    public Task WhenDeliveredAsync() => delivery.WhenIdleAsync();

    public long DeliveryRounds => delivery.RoundsDone;

    /// <param name="previous">The state before this check (the last period's usage, when monitoring broke down).</param>
    /// <param name="criticalAction">How the action at the critical point reads: "the server shuts down in 1 min".</param>
    public void Announce(QuotaDecision decision, QuotaSnapshot snapshot, MonitorState previous, CheckTime time, string criticalAction)
    {
        var dryRun = runMode.IsDryRun;
        if (decision.NewPeriodStarted)
        {
            dispatcher.Enqueue(MessageComposer.NewPeriod(snapshot, previous.Health.LastCountedBytes, dryRun, time.Now));
        }

        if (decision.NotifyRecovered)
        {
            dispatcher.Enqueue(MessageComposer.MonitoringRecovered(snapshot, previous.Health.UsageFailingSince ?? time.Now, dryRun, time.Now));
        }

        if (decision.NotifyCritical)
        {
            dispatcher.Enqueue(MessageComposer.CriticalReached(snapshot, criticalAction, dryRun, time.Now));
        }
        else if (decision.StageToNotify is { } stage)
        {
            dispatcher.Enqueue(MessageComposer.StageReached(snapshot, stage, criticalAction, dryRun, time.Now));
        }

        if (snapshot.Reading?.Provider is { } provider)
        {
            if (provider.ReportUnavailable)
            {
                dispatcher.Enqueue(MessageComposer.ProviderUnavailable(snapshot, provider, dryRun, time.Now));
            }

            if (provider.ReportDisagreement)
            {
                dispatcher.Enqueue(MessageComposer.ProviderDisagrees(snapshot, provider, dryRun, time.Now));
            }
        }

        if (decision.ForecastToNotify is { } forecast)
        {
            dispatcher.Enqueue(MessageComposer.ForecastCritical(snapshot, forecast, criticalAction, dryRun, time.Now));
        }

        if (decision.DailyReportDue)
        {
            dispatcher.Enqueue(MessageComposer.DailyReport(snapshot, time.Today, decision.State.Days.YesterdayBytes, dryRun, time.Now));
        }
    }

    public void MonitoringDegraded(MonitorHealth health, string reason, DateTimeOffset now) =>
        dispatcher.Enqueue(MessageComposer.MonitoringDegraded(
            Environment.MachineName, health.UsageFailures, health.UsageFailingSince ?? now, reason, runMode.IsDryRun, now));

    public void StepApplied(QuotaSnapshot snapshot, string description, int runs, DateTimeOffset now) =>
        dispatcher.Enqueue(MessageComposer.ActionRun(snapshot, description, runs, runMode.IsDryRun, now));

    public void StepFailed(QuotaSnapshot snapshot, string command, string error, DateTimeOffset now) =>
        dispatcher.Enqueue(MessageComposer.ActionFailed(snapshot, command, error, runMode.IsDryRun, now));

    public void LadderStepApplied(QuotaSnapshot snapshot, StepNotice step, int run, bool reapplied, DateTimeOffset now) =>
        dispatcher.Enqueue(MessageComposer.StepApplied(snapshot, step, run, reapplied, runMode.IsDryRun, now));

    public void LadderStepRepaired(QuotaSnapshot snapshot, StepNotice step, string repaired, DateTimeOffset now) =>
        dispatcher.Enqueue(MessageComposer.StepRepaired(snapshot, step, repaired, runMode.IsDryRun, now));

    public void LadderStepReverted(QuotaSnapshot snapshot, StepNotice step, RevertReason reason, DateTimeOffset now) =>
        dispatcher.Enqueue(MessageComposer.StepReverted(snapshot, step, reason, runMode.IsDryRun, now));

    public void LadderStepFailed(QuotaSnapshot snapshot, StepNotice step, bool reverting, string error, TimeSpan retryAfter, DateTimeOffset now) =>
        dispatcher.Enqueue(MessageComposer.StepFailed(snapshot, step, reverting, error, retryAfter, runMode.IsDryRun, now));
}
