using Microsoft.Extensions.Logging;
using TrafficMonitor.Actions;
using TrafficMonitor.Configuration;
using TrafficMonitor.Notifications;
using TrafficMonitor.Quota;
using TrafficMonitor.State;
using TrafficMonitor.Usage;

namespace TrafficMonitor.Monitoring;

public enum CheckOutcome
{
    Completed,
    UsageUnavailable,
    ActionFailed,
    StateUnavailable,
}

public sealed record CheckResult(CheckOutcome Outcome, UsageReading? Reading = null, QuotaDecision? Decision = null);

/// <summary>Whether this process may act. A dry run notifies (marked as such), runs no action and saves no state.</summary>
public sealed record RunMode(bool DryRun);

/// <summary>
/// One check: read usage, ask the policy, notify, act, remember. Anything that cannot be read stops the check
/// before the policy sees it, so no notification or action ever follows from bad data.
/// </summary>
public sealed partial class QuotaCheck(
    TrafficMonitorSettings settings,
    IUsageSource usageSource,
    StateStore stateStore,
    NotificationDispatcher dispatcher,
    DeliveryPump delivery,
    ShutdownAction shutdownAction,
    RunMode runMode,
    TimeProvider timeProvider,
    ILogger<QuotaCheck> logger)
{
    private readonly Guid _processInstance = Guid.NewGuid();
    private MonitorState? _state;
    private bool _deferralLogged;
    private int _checks;
    private MonitorState? _saved;
    private DateTimeOffset? _savedAt;

    /// <summary>One check, then waits until its notifications were delivered or failed (each bounded by its channel's timeout): for --once.</summary>
    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        var result = await CheckAsync(cancellationToken).ConfigureAwait(false);
        await delivery.WhenIdleAsync().ConfigureAwait(false);
        return result;
    }

    /// <summary>Waits for notifications still being delivered (when the service stops).</summary>
    public Task WhenDeliveredAsync() => delivery.WhenIdleAsync();

    /// <summary>One check; delivery goes on in the background, so a hung channel never delays the next check.</summary>
    public async Task<CheckResult> CheckAsync(CancellationToken cancellationToken)
    {
        var period = BillingPeriod.Containing(timeProvider.GetLocalNow(), settings.Monitor.ResetDay);
        UsageReading reading;
        try
        {
            reading = await usageSource.ReadAsync(period, cancellationToken).ConfigureAwait(false);
        }
        catch (UsageUnavailableException e)
        {
            LogUsageUnavailable(usageSource.Name, e.Message);
            try
            {
                RecordUsageFailure(e.Message);
            }
            catch (StateException stateError)
            {
                LogStateUnavailable(stateError.Message);
            }

            return new CheckResult(CheckOutcome.UsageUnavailable);
        }

        try
        {
            return await EvaluateAsync(reading, period, cancellationToken).ConfigureAwait(false);
        }
        catch (StateException e)
        {
            LogStateUnavailable(e.Message);
            return new CheckResult(CheckOutcome.StateUnavailable, reading);
        }
    }

    /// <summary>Counts a check that could not read usage; after notifications.degraded_after in a row, the admin is told.</summary>
    private void RecordUsageFailure(string reason)
    {
        var now = timeProvider.GetUtcNow();
        _state ??= stateStore.Load();
        var state = _state with { UsageFailures = _state.UsageFailures + 1, UsageFailingSince = _state.UsageFailingSince ?? now };
        if (state.UsageFailures >= settings.Notifications.DegradedAfter && !state.DegradedNotified)
        {
            dispatcher.Enqueue(MessageComposer.MonitoringDegraded(Environment.MachineName, state.UsageFailures, state.UsageFailingSince!.Value, reason, runMode.DryRun, now));
            state = state with { DegradedNotified = true };
        }

        _state = state;
        Save(state);
        // Notifications queued earlier still go out while usage is unreadable.
        delivery.Kick();
    }

    private async Task<CheckResult> EvaluateAsync(UsageReading reading, BillingPeriod period, CancellationToken cancellationToken)
    {
        var thresholds = settings.Thresholds;
        var counted = reading.Counted(settings.Monitor.Count);
        var now = timeProvider.GetUtcNow();
        _state ??= stateStore.Load();
        var previous = _state;
        var decision = QuotaPolicy.Evaluate(new QuotaInputs(thresholds, settings.Shutdown, period, counted, previous, now, _processInstance));
        var state = decision.State.WithMonitoringFrom(previous);
        var snapshot = Snapshot(reading, counted);
        if (decision.NewPeriodStarted)
        {
            LogNewPeriod(period);
            dispatcher.Enqueue(MessageComposer.NewPeriod(snapshot, previous.LastCountedBytes, runMode.DryRun, now));
        }

        // The first check's usage is worth an information line; after that, once a minute, only at debug level.
        if (_checks++ == 0)
        {
            LogFirstUsage(new UsageSummary(snapshot, reading));
        }
        else
        {
            LogUsage(new UsageSummary(snapshot, reading));
        }

        if (previous.DegradedNotified)
        {
            dispatcher.Enqueue(MessageComposer.MonitoringRecovered(snapshot, previous.UsageFailingSince ?? now, runMode.DryRun, now));
        }

        state = state with { UsageFailures = 0, UsageFailingSince = null, DegradedNotified = false };

        // Queuing is the moment a stage counts as notified: delivery, retries and expiry are the outbox's job.
        if (decision.NotifyCritical)
        {
            dispatcher.Enqueue(MessageComposer.CriticalReached(snapshot, shutdownAction.Description, runMode.DryRun, now));
            // The critical message carries the numbers, so it stands for any stage crossed at the same check.
            state = state with { CriticalNotified = true, HighestStageNotified = Math.Max(state.HighestStageNotified, decision.StageToNotify ?? 0) };
        }
        else if (decision.StageToNotify is { } stage)
        {
            dispatcher.Enqueue(MessageComposer.StageReached(snapshot, stage, shutdownAction.Description, runMode.DryRun, now));
            state = state with { HighestStageNotified = stage };
        }

        (state, var reportDue) = DailyReportSchedule.Evaluate(
            state, previous, decision.NewPeriodStarted, counted, timeProvider.GetLocalNow(), settings.Notifications.DailyReport);
        if (reportDue)
        {
            dispatcher.Enqueue(MessageComposer.DailyReport(
                snapshot, DateOnly.FromDateTime(timeProvider.GetLocalNow().DateTime), state.YesterdayBytes, runMode.DryRun, now));
        }

        // Recorded before anything is sent, so a crash while sending never forgets a decision (queued ids are not queued twice).
        _state = state with { LastCheckAt = now, LastCountedBytes = counted };
        Save(_state);

        // The critical message goes out while the action runs: at line rate every second spent talking to a server
        // before acting is traffic past the critical point. Each channel is bounded by its timeout either way.
        delivery.Kick();
        var outcome = CheckOutcome.Completed;
        switch (decision.Action)
        {
            case ActionVerdict.Run:
                (_state, outcome) = await RunActionAsync(_state, snapshot, now, cancellationToken).ConfigureAwait(false);
                Save(_state);
                // What the action queued (ran / failed) goes in the round after the one under way: never twice at once.
                delivery.Kick();
                break;
            case ActionVerdict.DeferredAfterRestart when !_deferralLogged:
                _deferralLogged = true;
                LogActionDeferred(state.ActionLastRunAt!.Value, decision.ActionDeferredUntil!.Value, settings.Shutdown.BootGrace);
                break;
        }

        return new CheckResult(outcome, reading, decision with { State = _state });
    }

    /// <summary>
    /// Near a threshold checks come many times a second: a change of stage, action, period or monitoring health goes
    /// to disk at once, the usage figure alone waits for the usual interval.
    /// </summary>
    private void Save(MonitorState state)
    {
        if (runMode.DryRun)
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        var changed = _saved is null || _saved with { LastCheckAt = null, LastCountedBytes = null } != state with { LastCheckAt = null, LastCountedBytes = null };
        if (changed || _savedAt is null || now - _savedAt >= settings.Monitor.CheckInterval)
        {
            stateStore.Save(state);
            _saved = state;
            _savedAt = now;
        }
    }

    private async Task<(MonitorState State, CheckOutcome Outcome)> RunActionAsync(
        MonitorState state, QuotaSnapshot snapshot, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var command = string.Join(' ', shutdownAction.Command);
        var ranBefore = state.ActionLastRunAt is not null;
        if (runMode.DryRun)
        {
            LogDryRunAction(command);
            return (state with { ActionLastRunAt = now, ActionRunBy = _processInstance }, CheckOutcome.Completed);
        }

        if (ranBefore)
        {
            LogActionAgain(state.ActionLastRunAt!.Value, settings.Shutdown.BootGrace);
        }

        LogRunningAction(command);
        // The action must not be cut short by a stop request arriving mid-check.
        var result = await shutdownAction.RunAsync(CancellationToken.None).ConfigureAwait(false);
        if (result.Succeeded)
        {
            LogActionSucceeded(command);
            state = state with { ActionLastRunAt = now, ActionRunBy = _processInstance, ActionRuns = state.ActionRuns + 1, ActionFailures = 0 };
            dispatcher.Enqueue(MessageComposer.ActionRun(snapshot, shutdownAction.Description, state.ActionRuns, runMode.DryRun, now));
            return (state, CheckOutcome.Completed);
        }

        LogActionFailed(result.Error!);
        state = state with { ActionFailures = state.ActionFailures + 1 };
        if (state.ActionFailures == 1)
        {
            dispatcher.Enqueue(MessageComposer.ActionFailed(snapshot, command, result.Error!, runMode.DryRun, now));
        }

        return (state, CheckOutcome.ActionFailed);
    }

    private QuotaSnapshot Snapshot(UsageReading reading, long counted)
    {
        var thresholds = settings.Thresholds;
        return new QuotaSnapshot(
            Environment.MachineName,
            reading.Period,
            reading.Rx,
            reading.Tx,
            counted,
            settings.Monitor.Count,
            thresholds.TotalLimit.Bytes,
            thresholds.CriticalBytes,
            QuotaPolicy.PercentUsed(thresholds, counted),
            QuotaPolicy.NextStage(thresholds, counted),
            thresholds.Units)
        {
            IntervalBytes = thresholds.Interval.Bytes,
        };
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error,
        Message = "Usage could not be read from {Source}, so nothing is decided this check: {Reason}")]
    private partial void LogUsageUnavailable(string source, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "{Usage}")]
    private partial void LogFirstUsage(UsageSummary usage);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "{Usage}")]
    private partial void LogUsage(UsageSummary usage);

    /// <summary>Formats the per-check usage line only when the log level lets it through.</summary>
    private sealed record UsageSummary(QuotaSnapshot Snapshot, UsageReading Reading)
    {
        public override string ToString() =>
            $"Used {MessageComposer.Size(Snapshot.UsedBytes, Snapshot)} of {MessageComposer.Size(Snapshot.LimitBytes, Snapshot)} " +
            $"({Snapshot.Percent.ToString(System.Globalization.CultureInfo.InvariantCulture)}%) in the period {Snapshot.Period}, " +
            $"counting {string.Join(", ", Reading.Interfaces.Select(i => i.Name))} from {Reading.Source}";
    }

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "A new billing period started ({Period}): every alert stage is armed again")]
    private partial void LogNewPeriod(BillingPeriod period);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "State could not be kept: {Reason}")]
    private partial void LogStateUnavailable(string reason);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning,
        Message = "Started again after the critical action ran at {LastRun} in this period, and usage is still over the critical point. " +
                  "Not acting at once (no shutdown loop after a reboot): it runs again at {AllowedAt} (boot_grace {Grace}) unless usage falls or the period ends. " +
                  "To keep the server up, set actions.shutdown.enabled: false or raise thresholds.total_limit")]
    private partial void LogActionDeferred(DateTimeOffset lastRun, DateTimeOffset allowedAt, TimeSpan grace);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Dry run: would run the critical action now: {Command}")]
    private partial void LogDryRunAction(string command);

    [LoggerMessage(EventId = 12, Level = LogLevel.Critical, Message = "Critical point reached: running {Command}")]
    private partial void LogRunningAction(string command);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "The critical action ran: {Command}")]
    private partial void LogActionSucceeded(string command);

    [LoggerMessage(EventId = 14, Level = LogLevel.Error, Message = "The critical action failed; it is retried at the next check: {Error}")]
    private partial void LogActionFailed(string error);

    [LoggerMessage(EventId = 15, Level = LogLevel.Warning,
        Message = "Still over the critical point {Grace} after the critical action last ran ({LastRun}) in an earlier run: running it again")]
    private partial void LogActionAgain(DateTimeOffset lastRun, TimeSpan grace);
}
