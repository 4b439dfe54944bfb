using Microsoft.Extensions.Logging;
using TrafficMonitor.Configuration;
using TrafficMonitor.Monitoring;
using TrafficMonitor.Notifications;
using TrafficMonitor.Quota;
using TrafficMonitor.State;
using TrafficMonitor.Hosting;

namespace TrafficMonitor.Enforcement;

/// <summary>
/// Carries out the policy's verdict for each enforcement step: applies or undoes it, records the result, and tells the
/// admin. A dry run only says what it would run.
/// </summary>
public sealed partial class Enforcer(
    IEnumerable<IEnforcementStep> steps,
    QuotaNotifier notifier,
    ProcessIdentity identity,
    RunMode runMode,
    ILogger<Enforcer> logger)
{
    private readonly List<IEnforcementStep> _steps = steps.ToList();
    private readonly HashSet<string> _deferralsLogged = new(StringComparer.Ordinal);

    public IReadOnlyList<IEnforcementStep> Steps => _steps;

    /// <summary>The enabled steps, as the policy sees them.</summary>
    public IReadOnlyList<EnforcementStep> Plan => _steps.Where(s => s.Enabled).Select(s => s.Plan).ToList();

    /// <summary>How the action at the critical point reads in messages.</summary>
    public string CriticalActionDescription => _steps.Single(s => s.Id == ShutdownStep.StepId).Description;

    public QuotaProgress Progress(ThresholdsOptions thresholds, MonitorState state, BillingPeriod period) =>
        QuotaProgress.Of(thresholds, state, period, _steps.Select(s => (s.Id, s.Enabled, s.Command)));

    /// <param name="keep">Keeps a state at once: a run is recorded before its command starts.</param>
    /// <returns>The state with each step's result recorded, and whether every step that was due succeeded.</returns>
    public async Task<(MonitorState State, bool Succeeded)> EnforceAsync(
        IReadOnlyList<StepDecision> decisions, MonitorState state, QuotaSnapshot snapshot, CheckTime time, Action<MonitorState> keep)
    {
        var succeeded = true;
        foreach (var decision in decisions)
        {
            var step = _steps.Single(s => s.Id == decision.Step.Id);
            switch (decision.Verdict)
            {
                case StepVerdict.Apply:
                    (state, var applied) = await ApplyAsync(step, decision.Step, state, snapshot, time, keep).ConfigureAwait(false);
                    succeeded &= applied;
                    break;
                case StepVerdict.Revert:
                    (state, var reverted) = await RevertAsync(step, decision.Step, state, snapshot).ConfigureAwait(false);
                    succeeded &= reverted;
                    break;
                case StepVerdict.DeferredAfterRestart when decision.LastRunUnknown && _deferralsLogged.Add(step.Id):
                    LogActionDeferredUnknown(Iso8601.Time(decision.DeferredUntil!.Value), DurationParser.Format(decision.Step.BootGrace));
                    break;
                case StepVerdict.DeferredAfterRestart when _deferralsLogged.Add(step.Id):
                    LogActionDeferred(Iso8601.Time(state.Step(step.Id).LastRunAt!.Value), Iso8601.Time(decision.DeferredUntil!.Value), DurationParser.Format(decision.Step.BootGrace));
                    break;
            }
        }

        return (state, succeeded);
    }

    private async Task<(MonitorState State, bool Succeeded)> ApplyAsync(
        IEnforcementStep step, EnforcementStep plan, MonitorState state, QuotaSnapshot snapshot, CheckTime time, Action<MonitorState> keep)
    {
        var command = string.Join(' ', step.Command);
        var period = snapshot.Period;
        if (runMode.IsDryRun)
        {
            LogDryRunAction(command);
            return (EnforcementPolicy.Applied(state, plan, period, time.Now, identity.Id), true);
        }

        var record = state.Step(step.Id);
        if (record.RanIn(period.Start) && record.LastRunAt is { } lastRun)
        {
            LogActionAgain(Iso8601.Time(lastRun), DurationParser.Format(plan.BootGrace), record.Unconfirmed ? " (it was interrupted: the monitor stopped before the command returned)" : string.Empty);
        }

        LogRunningAction(command);
        // Recorded before the command starts: if the monitor dies while it runs, or the command powers the machine
        // off before returning, the next process treats it as run and waits boot_grace instead of running it at once.
        keep(EnforcementPolicy.Starting(state, plan, period, time.Now, identity.Id));
        // The action must not be cut short by a stop request arriving mid-check.
        var result = await step.ApplyAsync(CancellationToken.None).ConfigureAwait(false);
        if (result.Succeeded)
        {
            LogActionSucceeded(command);
            state = EnforcementPolicy.Applied(state, plan, period, time.Now, identity.Id);
            notifier.StepApplied(snapshot, step.Description, state.Step(step.Id).Runs, time.Now);
            return (state, true);
        }

        LogActionFailed(result.Error!);
        state = EnforcementPolicy.Failed(state, plan, period);
        if (state.Step(step.Id).Failures == 1)
        {
            notifier.StepFailed(snapshot, command, result.Error!, time.Now);
        }

        return (state, false);
    }

    private async Task<(MonitorState State, bool Succeeded)> RevertAsync(IEnforcementStep step, EnforcementStep plan, MonitorState state, QuotaSnapshot snapshot)
    {
        if (runMode.IsDryRun)
        {
            LogDryRunRevert(step.Id);
            return (EnforcementPolicy.Reverted(state, plan, snapshot.Period), true);
        }

        var result = await step.RevertAsync(CancellationToken.None).ConfigureAwait(false);
        if (result.Succeeded)
        {
            LogReverted(step.Id);
            return (EnforcementPolicy.Reverted(state, plan, snapshot.Period), true);
        }

        LogRevertFailed(step.Id, result.Error!);
        return (state, false);
    }

    [LoggerMessage(EventId = LogEvents.ActionDeferred, Level = LogLevel.Warning,
        Message = "Started again after the critical action ran at {LastRun} in this period, and usage is still over the critical point. " +
                  "Not acting at once (no shutdown loop after a reboot): it runs again at {AllowedAt} (boot_grace {Grace}) unless usage falls or the period ends. " +
                  "To keep the server up, set actions.shutdown.enabled: false or raise thresholds.total_limit")]
    private partial void LogActionDeferred(string lastRun, string allowedAt, string grace);

    [LoggerMessage(EventId = LogEvents.DryRunAction, Level = LogLevel.Warning, Message = "Dry run: would run the critical action now: {Command}")]
    private partial void LogDryRunAction(string command);

    [LoggerMessage(EventId = LogEvents.RunningAction, Level = LogLevel.Critical, Message = "Critical point reached: running {Command}")]
    private partial void LogRunningAction(string command);

    [LoggerMessage(EventId = LogEvents.ActionSucceeded, Level = LogLevel.Information, Message = "The critical action ran: {Command}")]
    private partial void LogActionSucceeded(string command);

    [LoggerMessage(EventId = LogEvents.ActionFailed, Level = LogLevel.Error, Message = "The critical action failed; it is retried at the next check: {Error}")]
    private partial void LogActionFailed(string error);

    [LoggerMessage(EventId = LogEvents.ActionAgain, Level = LogLevel.Warning,
        Message = "Still over the critical point {Grace} after the critical action last ran ({LastRun}) in an earlier run{Interrupted}: running it again")]
    private partial void LogActionAgain(string lastRun, string grace, string interrupted);

    [LoggerMessage(EventId = LogEvents.ActionDeferredUnknown, Level = LogLevel.Warning,
        Message = "Over the critical point, but the state directory could not be written, so whether the critical action already ran in this boot cannot be known. " +
                  "Not acting before {AllowedAt} (boot_grace {Grace} after boot), so a reboot never turns into a shutdown loop")]
    private partial void LogActionDeferredUnknown(string allowedAt, string grace);

    [LoggerMessage(EventId = LogEvents.DryRunRevert, Level = LogLevel.Warning, Message = "Dry run: would undo {Step} now, as a new billing period started")]
    private partial void LogDryRunRevert(string step);

    [LoggerMessage(EventId = LogEvents.Reverted, Level = LogLevel.Information, Message = "A new billing period started: {Step} is undone")]
    private partial void LogReverted(string step);

    [LoggerMessage(EventId = LogEvents.RevertFailed, Level = LogLevel.Error, Message = "{Step} could not be undone; it is retried at the next check: {Error}")]
    private partial void LogRevertFailed(string step, string error);
}
