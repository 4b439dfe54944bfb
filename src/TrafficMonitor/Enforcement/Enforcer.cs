using Microsoft.Extensions.Logging;
using TrafficMonitor.Configuration;
using TrafficMonitor.Monitoring;
using TrafficMonitor.Notifications;
using TrafficMonitor.Quota;
using TrafficMonitor.State;
using TrafficMonitor.Hosting;

namespace TrafficMonitor.Enforcement;

/// <summary>
/// Carries out the policy's verdict for each enforcement step: applies, re-applies, checks or undoes it, records the
/// result, and tells the admin. A dry run only says what it would do. Without <c>actions.rules</c> the one step is the
/// shutdown at the critical point, logged and notified as it always was; each rule of a ladder has its own messages.
/// </summary>
public sealed partial class Enforcer(
    EnforcementSteps steps,
    TrafficMonitorSettings settings,
    QuotaNotifier notifier,
    ProcessIdentity identity,
    RunMode runMode,
    IServiceProvider services,
    ILogger<Enforcer> logger)
{
    private readonly IReadOnlyList<IEnforcementStep> _steps = steps.All;
    private readonly HashSet<string> _deferralsLogged = new(StringComparer.Ordinal);
    private readonly HashSet<string> _holdsLogged = new(StringComparer.Ordinal);

    public IReadOnlyList<IEnforcementStep> Steps => _steps;

    /// <inheritdoc cref="EnforcementSteps.IsLadder"/>
    public bool IsLadder => steps.IsLadder;

    /// <inheritdoc cref="EnforcementSteps.Plan"/>
    public IReadOnlyList<EnforcementStep> Plan => steps.Plan;

    /// <inheritdoc cref="EnforcementSteps.PlanFor"/>
    public IReadOnlyList<EnforcementStep> PlanFor(ThresholdsOptions thresholds) => steps.PlanFor(thresholds);

    /// <summary>How the action at the critical point reads in messages.</summary>
    public string CriticalActionDescription => !IsLadder
        ? _steps.Single(s => s.Id == ShutdownStep.StepId).Description
        : MessageComposer.LadderDescription + ": " + string.Join("; ", settings.Rules.Select(r => $"{r.Id} at {r.At}"));

    public QuotaProgress Progress(ThresholdsOptions thresholds, MonitorState state, BillingPeriod period) => steps.Progress(thresholds, state, period);

    /// <inheritdoc cref="EnforcementSteps.TargetsFor"/>
    public IReadOnlyList<long> TargetsFor(ThresholdsOptions thresholds) => steps.TargetsFor(thresholds);

    /// <param name="keep">Keeps a state at once: a run is recorded before its command starts.</param>
    /// <returns>The state with each step's result recorded, and whether every step that was due succeeded.</returns>
    public async Task<(MonitorState State, bool Succeeded)> EnforceAsync(
        IReadOnlyList<StepDecision> decisions, MonitorState state, QuotaSnapshot snapshot, CheckTime time, Action<MonitorState> keep)
    {
        var succeeded = true;
        foreach (var decision in decisions)
        {
            var step = decision.RuleRemoved ? ForRecord(decision.Step.Id, state.Step(decision.Step.Id)) : _steps.Single(s => s.Id == decision.Step.Id);
            if (step is IRecordedStep recorded && state.Step(step.Id) is { InForce: true, Undo: { } undo })
            {
                recorded.Recall(undo);
            }
            if (decision.Verdict != StepVerdict.Held)
            {
                _holdsLogged.Remove(step.Id);
            }

            switch (decision.Verdict)
            {
                case StepVerdict.Apply or StepVerdict.Reapply:
                    (state, var applied) = await ApplyAsync(step, decision, state, snapshot, time, keep).ConfigureAwait(false);
                    succeeded &= applied;
                    break;
                case StepVerdict.Revert:
                    (state, var reverted) = await RevertAsync(step, decision, state, snapshot, time.Now).ConfigureAwait(false);
                    succeeded &= reverted;
                    break;
                case StepVerdict.AlreadyApplied when decision.Step.Revertible && !runMode.IsDryRun:
                    succeeded &= await EnsureAsync(step, decision, snapshot, time.Now).ConfigureAwait(false);
                    break;
                case StepVerdict.Held when _holdsLogged.Add(step.Id):
                    LogStepHeld(step.Id, HoldText(state.Hold));
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

    /// <summary>
    /// Undoes every step the state says is in force, configured or not, without reading usage: for <c>pause</c> and
    /// <c>revert-all</c> when no monitor runs. Each result is recorded; failures are returned, not retried here.
    /// </summary>
    public async Task<(MonitorState State, IReadOnlyList<string> Failures)> RevertEverythingAsync(MonitorState state, DateTimeOffset now)
    {
        var failures = new List<string>();
        foreach (var id in EnforcementPolicy.InForce(state))
        {
            var record = state.Step(id);
            var configured = _steps.SingleOrDefault(s => s.Id == id);
            var step = configured ?? ForRecord(id, record);
            (step as IRecordedStep)?.Recall(record.Undo ?? []);
            var result = await step.RevertAsync(new StepContext(StepEvent.Revert, id, null), CancellationToken.None).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                LogStepRevertFailed(id, result.Error!);
                failures.Add($"{id}: {result.Error}");
                continue;
            }

            LogStepReverted(id, "revert-all or pause");
            var period = new BillingPeriod(record.Period ?? DateOnly.MinValue, record.Period ?? DateOnly.MinValue);
            state = configured is null ? EnforcementPolicy.Forgotten(state, id) : EnforcementPolicy.Reverted(state, configured.Plan, period, now);
        }

        return (state, failures);
    }

    private IEnforcementStep ForRecord(string id, StepRecord record) =>
        record.Kind is { } kind && StepKinds.All.TryGetValue(kind, out var known)
            ? known.ForRecord(id, record, services)
            : new NothingToUndo(id, record.Kind ?? "unknown",
                $"its kind ({record.Kind ?? "unknown"}) is not in this build, so it cannot be undone here: undo it by hand, or with the build that applied it");

    private static string HoldText(EnforcementHold? hold) =>
        hold?.Until is { } until ? $"until {Iso8601.Time(until)} (or traffic-monitor resume)" : "until traffic-monitor resume";

    /// <param name="decision">Gives the point the policy used (the provider's limit may move a percentage); a removed rule keeps its record's.</param>
    private static StepNotice Notice(IEnforcementStep step, StepDecision decision) =>
        new(step.Id, step.Description, decision.RuleRemoved ? step.Plan.AtBytes : decision.Step.AtBytes, step.Plan.Revertible);

    private async Task<(MonitorState State, bool Succeeded)> ApplyAsync(
        IEnforcementStep step, StepDecision decision, MonitorState state, QuotaSnapshot snapshot, CheckTime time, Action<MonitorState> keep)
    {
        var plan = decision.Step;
        var command = string.Join(' ', step.Command);
        var period = snapshot.Period;
        var reapply = decision.Verdict == StepVerdict.Reapply;
        if (runMode.IsDryRun)
        {
            if (IsLadder)
            {
                LogDryRunStep(step.Id, step.Description);
            }
            else
            {
                LogDryRunAction(command);
            }

            return (EnforcementPolicy.Applied(state, plan, period, time.Now, identity.Id, step.Kind, step.UndoRecord), true);
        }

        var record = state.Step(step.Id);
        if (!IsLadder && record.RanIn(period.Start) && record.LastRunAt is { } lastRun)
        {
            LogActionAgain(Iso8601.Time(lastRun), DurationParser.Format(plan.BootGrace), record.Unconfirmed ? " (it was interrupted: the monitor stopped before the command returned)" : string.Empty);
        }

        if (!IsLadder)
        {
            LogRunningAction(command);
        }
        else if (reapply)
        {
            LogStepReapplying(step.Id, step.Description);
        }
        else
        {
            LogStepApplying(step.Id, ByteSize.Format(plan.AtBytes, snapshot.Units), step.Description);
        }

        // Recorded before the command starts: if the monitor dies while it runs, or the command powers the machine
        // off before returning, the next process treats it as run and waits boot_grace instead of running it at once.
        keep(EnforcementPolicy.Starting(state, plan, period, time.Now, identity.Id, step.Kind, step.UndoRecord));
        // The action must not be cut short by a stop request arriving mid-check.
        var context = new StepContext(reapply ? StepEvent.Reapply : StepEvent.Apply, step.Id, snapshot);
        var result = await step.ApplyAsync(context, CancellationToken.None).ConfigureAwait(false);
        if (result.Succeeded)
        {
            state = EnforcementPolicy.Applied(state, plan, period, time.Now, identity.Id, step.Kind, step.UndoRecord);
            if (IsLadder)
            {
                LogStepApplied(step.Id);
                notifier.LadderStepApplied(snapshot, Notice(step, decision), state.Step(step.Id).Runs, reapply, time.Now);
            }
            else
            {
                LogActionSucceeded(command);
                notifier.StepApplied(snapshot, step.Description, state.Step(step.Id).Runs, time.Now);
            }

            return (state, true);
        }

        // A failed run is no run: the state before Starting, with the failure counted. Steps apply atomically (nft -f,
        // one command), so nothing half-applied is left to undo.
        state = EnforcementPolicy.Failed(state, plan, period, time.Now);
        if (IsLadder)
        {
            LogStepFailed(step.Id, result.Error!, plan.RetryAfter > TimeSpan.Zero ? DurationParser.Format(plan.RetryAfter) : "the next check");
        }
        else
        {
            LogActionFailed(result.Error!);
        }

        if (state.Step(step.Id).Failures == 1)
        {
            if (IsLadder)
            {
                notifier.LadderStepFailed(snapshot, Notice(step, decision), reverting: false, result.Error!, plan.RetryAfter, time.Now);
            }
            else
            {
                notifier.StepFailed(snapshot, command, result.Error!, time.Now);
            }
        }

        return (state, false);
    }

    private async Task<(MonitorState State, bool Succeeded)> RevertAsync(
        IEnforcementStep step, StepDecision decision, MonitorState state, QuotaSnapshot snapshot, DateTimeOffset now)
    {
        var plan = decision.Step;
        var reason = Describe(decision.Reason);
        var done = decision.RuleRemoved
            ? EnforcementPolicy.Forgotten(state, step.Id)
            : EnforcementPolicy.Reverted(state, plan, snapshot.Period, now);
        if (runMode.IsDryRun)
        {
            LogDryRunRevert(step.Id, reason);
            return (done, true);
        }

        var result = await step.RevertAsync(new StepContext(StepEvent.Revert, step.Id, snapshot), CancellationToken.None).ConfigureAwait(false);
        if (result.Succeeded)
        {
            LogStepReverted(step.Id, reason);
            if (IsLadder || decision.RuleRemoved)
            {
                notifier.LadderStepReverted(snapshot, Notice(step, decision), decision.Reason, now);
            }

            return (done, true);
        }

        LogStepRevertFailed(step.Id, result.Error!);
        var failed = EnforcementPolicy.Failed(state, plan, snapshot.Period, now);
        if (failed.Step(step.Id).Failures == 1)
        {
            notifier.LadderStepFailed(snapshot, Notice(step, decision), reverting: true, result.Error!, plan.RetryAfter, now);
        }

        return (failed, false);
    }

    private async Task<bool> EnsureAsync(IEnforcementStep step, StepDecision decision, QuotaSnapshot snapshot, DateTimeOffset now)
    {
        var result = await step.EnsureAsync(new StepContext(StepEvent.Apply, step.Id, snapshot), CancellationToken.None).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            LogStepCheckFailed(step.Id, result.Error!);
            return false;
        }

        if (result.Repaired is { } repaired)
        {
            LogStepRepaired(step.Id, repaired);
            notifier.LadderStepRepaired(snapshot, Notice(step, decision), repaired, now);
        }

        return true;
    }

    private static string Describe(RevertReason reason) => reason switch
    {
        RevertReason.NewPeriod => "a new billing period started",
        RevertReason.Paused => "enforcement is paused",
        RevertReason.RuleRemoved => "its rule is no longer in actions.rules",
        RevertReason.BelowPoint => "usage is below its point",
        _ => "asked to",
    };

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

    [LoggerMessage(EventId = LogEvents.LadderDryRunRevert, Level = LogLevel.Warning, Message = "Dry run: would undo {Step} now: {Reason}")]
    private partial void LogDryRunRevert(string step, string reason);

    [LoggerMessage(EventId = LogEvents.LadderStepReverted, Level = LogLevel.Information, Message = "{Step} is undone: {Reason}")]
    private partial void LogStepReverted(string step, string reason);

    [LoggerMessage(EventId = LogEvents.LadderStepRevertFailed, Level = LogLevel.Error,
        Message = "{Step} could not be undone; it is retried at a later check: {Error}. To undo it by hand, see docs/enforcement.md")]
    private partial void LogStepRevertFailed(string step, string error);

    [LoggerMessage(EventId = LogEvents.LadderStepApplying, Level = LogLevel.Warning, Message = "Usage reached {At}: applying {Step} ({Description})")]
    private partial void LogStepApplying(string step, string at, string description);

    [LoggerMessage(EventId = LogEvents.LadderStepReapplying, Level = LogLevel.Warning,
        Message = "{Step} was in force before this boot, which lost it, and usage is still over its point: applying it again ({Description})")]
    private partial void LogStepReapplying(string step, string description);

    [LoggerMessage(EventId = LogEvents.LadderStepApplied, Level = LogLevel.Information, Message = "{Step} is applied")]
    private partial void LogStepApplied(string step);

    [LoggerMessage(EventId = LogEvents.LadderStepFailed, Level = LogLevel.Error,
        Message = "{Step} could not be applied; it is retried after {RetryAfter}: {Error}. Fix the rule in actions.rules, or hold the ladder with traffic-monitor pause")]
    private partial void LogStepFailed(string step, string error, string retryAfter);

    [LoggerMessage(EventId = LogEvents.LadderDryRunApply, Level = LogLevel.Warning, Message = "Dry run: would apply {Step} now ({Description})")]
    private partial void LogDryRunStep(string step, string description);

    [LoggerMessage(EventId = LogEvents.LadderStepHeld, Level = LogLevel.Warning,
        Message = "Usage is over the point of {Step}, but enforcement is paused {Hold}: not applied (notifications still go out)")]
    private partial void LogStepHeld(string step, string hold);

    [LoggerMessage(EventId = LogEvents.LadderStepCheckFailed, Level = LogLevel.Error,
        Message = "{Step} is in force, but checking it failed: {Error}. It is checked again at the next check")]
    private partial void LogStepCheckFailed(string step, string error);

    [LoggerMessage(EventId = LogEvents.LadderStepRepaired, Level = LogLevel.Warning,
        Message = "{Step} was no longer in force (something removed it, e.g. a firewall reload) and was put back: {Repaired}")]
    private partial void LogStepRepaired(string step, string repaired);
}
