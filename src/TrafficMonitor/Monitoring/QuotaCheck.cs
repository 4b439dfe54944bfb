using Microsoft.Extensions.Logging;
using TrafficMonitor.Configuration;
using TrafficMonitor.Enforcement;
using TrafficMonitor.Notifications;
using TrafficMonitor.Platform;
using TrafficMonitor.Quota;
using TrafficMonitor.State;
using TrafficMonitor.Usage;
using TrafficMonitor.Hosting;

namespace TrafficMonitor.Monitoring;

public enum CheckOutcome
{
    Completed,
    UsageUnavailable,
    ActionFailed,
    StateUnavailable,
}

/// <param name="Decision">What the policy decided.</param>
/// <param name="State">The state after this check: the decision, with what each enforcement step did recorded.</param>
public sealed record CheckResult(
    CheckOutcome Outcome, UsageReading? Reading = null, QuotaDecision? Decision = null, MonitorState? State = null, QuotaSnapshot? Snapshot = null);

/// <summary>
/// One check: read usage, ask the policy, notify, enforce, remember. Anything that cannot be read stops the check
/// before the policy sees it, so no notification or action ever follows from bad data.
/// </summary>
public sealed partial class QuotaCheck(
    TrafficMonitorSettings settings,
    IUsageSource usageSource,
    StateKeeper state,
    QuotaNotifier notifier,
    Enforcer enforcer,
    ProcessIdentity identity,
    SystemBoot boot,
    EnforcementRequests requests,
    TimeProvider timeProvider,
    ILogger<QuotaCheck> logger)
{
    private int _checks;
    private bool _clockBehindLogged;

    /// <summary>Where each enforcement step starts: thresholds the check cadence aims at, like the stages.</summary>
    public IReadOnlyList<long> StepPoints => enforcer.Plan.Select(p => p.AtBytes).ToList();

    /// <summary>The numbers of the last check that could read usage; null before the first.</summary>
    public QuotaSnapshot? LastSnapshot { get; private set; }

    /// <summary>One check, then waits until its notifications were delivered or failed (each bounded by its channel's timeout): for --once.</summary>
    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        var result = await CheckAsync(cancellationToken).ConfigureAwait(false);
        await notifier.WhenDeliveredAsync().ConfigureAwait(false);
        return result;
    }

    /// <summary>Waits for notifications still being delivered (when the service stops).</summary>
    public Task WhenDeliveredAsync() => notifier.WhenDeliveredAsync();

    /// <summary>One check; delivery goes on in the background, so a hung channel never delays the next check.</summary>
    public async Task<CheckResult> CheckAsync(CancellationToken cancellationToken)
    {
        var time = CheckTime.From(timeProvider);
        var period = time.Period(settings.Monitor.ResetDay);
        UsageReading reading;
        try
        {
            reading = await usageSource.ReadAsync(period, cancellationToken).ConfigureAwait(false);
        }
        catch (UsageUnavailableException e)
        {
            LogUsageUnavailable(usageSource.Name, e.Message);
            RecordUsageFailure(e.Message, time);
            ReportStateProblem();
            return new CheckResult(CheckOutcome.UsageUnavailable);
        }

        var result = await EvaluateAsync(reading, period, time).ConfigureAwait(false);
        return ReportStateProblem() && result.Outcome == CheckOutcome.Completed ? result with { Outcome = CheckOutcome.StateUnavailable } : result;
    }

    /// <summary>Says, at every check, that state cannot be kept and what that holds back; true when it cannot.</summary>
    private bool ReportStateProblem()
    {
        if ((state.Problem ?? notifier.OutboxProblem) is not { } problem)
        {
            return false;
        }

        LogStateNotKept(problem, state.FallbackPath);
        return true;
    }

    /// <summary>Counts a check that could not read usage; after notifications.degraded_after in a row, the admin is told.</summary>
    private void RecordUsageFailure(string reason, CheckTime time)
    {
        var (failed, notify) = QuotaPolicy.UsageFailed(state.Current, time.Now, settings.Notifications.DegradedAfter);
        if (notify)
        {
            notifier.MonitoringDegraded(failed.Health, reason, time.Now);
        }

        state.Update(failed);
        // Notifications queued earlier still go out while usage is unreadable.
        notifier.Deliver();
    }

    private async Task<CheckResult> EvaluateAsync(UsageReading reading, BillingPeriod period, CheckTime time)
    {
        var counted = reading.Counted(settings.Monitor.Count);
        TakeRequest(time);
        var previous = state.Current;
        var decision = QuotaPolicy.Evaluate(new QuotaInputs(
            settings.Thresholds, enforcer.Plan, period, counted, previous, time, identity.Id, settings.Notifications.DailyReport,
            state.HistoryUnknown ? boot.BootedAt : null, boot.BootedAt));
        if (decision.HoldEnded)
        {
            LogPauseEnded();
        }
        var snapshot = Snapshot(reading, decision.State, period);
        if (decision.NewPeriodStarted)
        {
            LogNewPeriod(period);
        }
        else if (decision.ClockBehind && !_clockBehindLogged)
        {
            _clockBehindLogged = true;
            LogClockBehind(period, Iso8601.Day(previous.Alerts.PeriodStart!.Value));
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

        // Recorded before anything is sent, so a crash while sending never forgets a decision (queued ids are not queued twice).
        notifier.Announce(decision, snapshot, previous, time, enforcer.CriticalActionDescription);
        state.Update(decision.State);

        // The critical message goes out while the action runs: at line rate every second spent talking to a server
        // before acting is traffic past the critical point. Each channel is bounded by its timeout either way.
        notifier.Deliver();
        var (enforced, succeeded) = await enforcer.EnforceAsync(decision.Steps, decision.State, snapshot, time, state.Update).ConfigureAwait(false);
        if (enforced != decision.State)
        {
            snapshot = Snapshot(reading, enforced, period);
            state.Update(enforced);
            // What the steps queued (ran / failed) goes in the round after the one under way: never twice at once.
            notifier.Deliver();
        }

        LastSnapshot = snapshot;
        return new CheckResult(succeeded ? CheckOutcome.Completed : CheckOutcome.ActionFailed, reading, decision, enforced, snapshot);
    }

    /// <summary>Carries out what pause, resume or revert-all asked (a dry run or a read-only command leaves the request for the owner).</summary>
    private void TakeRequest(CheckTime time)
    {
        if (!state.KeepsState || requests.Take() is not { } request)
        {
            return;
        }

        state.Update(request.ApplyTo(state.Current, time.Now));
        switch (request.Command)
        {
            case EnforcementCommand.Pause:
                LogPaused(request.Until is { } until ? $"until {Iso8601.Time(until)}" : "until traffic-monitor resume");
                break;
            case EnforcementCommand.RevertAll:
                LogRevertAll();
                break;
            default:
                LogResumed();
                break;
        }
    }

    private QuotaSnapshot Snapshot(UsageReading reading, MonitorState decided, BillingPeriod period) =>
        QuotaSnapshot.Create(
            Environment.MachineName, settings.Thresholds, settings.Monitor.Count, reading, enforcer.Progress(settings.Thresholds, decided, period));

    [LoggerMessage(EventId = LogEvents.UsageUnavailable, Level = LogLevel.Error,
        Message = "Usage could not be read from {Source}, so nothing is decided this check: {Reason}")]
    private partial void LogUsageUnavailable(string source, string reason);

    [LoggerMessage(EventId = LogEvents.FirstUsage, Level = LogLevel.Information, Message = "{Usage}")]
    private partial void LogFirstUsage(UsageSummary usage);

    [LoggerMessage(EventId = LogEvents.Usage, Level = LogLevel.Debug, Message = "{Usage}")]
    private partial void LogUsage(UsageSummary usage);

    /// <summary>Formats the per-check usage line only when the log level lets it through.</summary>
    private sealed record UsageSummary(QuotaSnapshot Snapshot, UsageReading Reading)
    {
        public override string ToString() =>
            $"Used {MessageComposer.Size(Snapshot.UsedBytes, Snapshot)} of {MessageComposer.Size(Snapshot.LimitBytes, Snapshot)} " +
            $"({Snapshot.Percent.ToString(System.Globalization.CultureInfo.InvariantCulture)}%) in the period {Snapshot.Period}, " +
            $"counting {string.Join(", ", Reading.Interfaces.Select(i => i.Name))} from {Reading.Source}";
    }

    [LoggerMessage(EventId = LogEvents.EnforcementPaused, Level = LogLevel.Warning,
        Message = "Enforcement paused {Until}: no step is applied and steps in force are undone; notifications still go out")]
    private partial void LogPaused(string until);

    [LoggerMessage(EventId = LogEvents.EnforcementResumed, Level = LogLevel.Information,
        Message = "Enforcement resumed: each step applies again where usage is over its point")]
    private partial void LogResumed();

    [LoggerMessage(EventId = LogEvents.EnforcementPauseEnded, Level = LogLevel.Information,
        Message = "The pause ended (pause --until): each step applies again where usage is over its point")]
    private partial void LogPauseEnded();

    [LoggerMessage(EventId = LogEvents.EnforcementRevertAll, Level = LogLevel.Warning,
        Message = "revert-all: every step in force is undone and enforcement is held until traffic-monitor resume")]
    private partial void LogRevertAll();

    [LoggerMessage(EventId = LogEvents.NewPeriod, Level = LogLevel.Information, Message = "A new billing period started ({Period}): every alert stage is armed again")]
    private partial void LogNewPeriod(BillingPeriod period);

    [LoggerMessage(EventId = LogEvents.StateUnavailable, Level = LogLevel.Error,
        Message = "State cannot be kept: {Reason}. Alerts and the critical action still work, once each, as this process remembers them " +
                  "(and {FallbackPath} for the rest of this boot); after a reboot the action waits boot_grace after boot. Make the state directory writable (a full disk, or a filesystem remounted read-only?)")]
    private partial void LogStateNotKept(string reason, string fallbackPath);

    [LoggerMessage(EventId = LogEvents.ClockBehind, Level = LogLevel.Warning,
        Message = "The clock is in the billing period {Period}, before the latest one seen ({Latest}): the time zone or the clock moved back. " +
                  "Nothing is re-armed and nothing already done is done again; that period's own alerts still count")]
    private partial void LogClockBehind(BillingPeriod period, string latest);
}
