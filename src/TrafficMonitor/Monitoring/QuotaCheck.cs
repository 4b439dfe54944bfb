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
    HistoryStore history,
    RunMode runMode,
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
    private long? _stateProblemLoggedAt;
    private long _usageErrors;
    private int _usageFailuresInARow;

    /// <summary>Where each enforcement step starts: thresholds the check cadence aims at, like the stages.</summary>
    public IReadOnlyList<long> StepPoints => enforcer.Plan.Select(p => p.AtBytes).ToList();

    /// <summary>
    /// Where each enforcement step starts under the thresholds in force (the provider's limit, with total_limit:
    /// provider), and where a kernel quota stops traffic: the cadence aims at each.
    /// </summary>
    public IReadOnlyList<long> StepPointsFor(ThresholdsOptions thresholds) => enforcer.TargetsFor(thresholds);

    /// <summary>The numbers of the last check that could read usage; null before the first.</summary>
    public QuotaSnapshot? LastSnapshot { get; private set; }

    /// <summary>Checks that could not read usage since this process started (for metrics: a counter).</summary>
    public long UsageErrors => Interlocked.Read(ref _usageErrors);

    /// <summary>Checks in a row that could not read usage, up to now; 0 once one can.</summary>
    public int UsageFailuresInARow => Volatile.Read(ref _usageFailuresInARow);

    /// <summary>One check, then waits until its notifications were delivered or failed (each bounded by its channel's timeout): for --once.</summary>
    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        var result = await CheckAsync(cancellationToken).ConfigureAwait(false);
        await notifier.WhenDeliveredAsync().ConfigureAwait(false);
        return result;
    }

    /// <summary>Waits for notifications still being delivered (when the service stops).</summary>
    public Task WhenDeliveredAsync() => notifier.WhenDeliveredAsync();

    /// <summary>Rounds of delivering messages finished since start (<see cref="MemoryRelease"/>).</summary>
    public long DeliveryRounds => notifier.DeliveryRounds;

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

        // A source may fix the period itself (monitor.reset_day: provider).
        var result = await EvaluateAsync(reading, reading.Period, time).ConfigureAwait(false);
        return ReportStateProblem() && result.Outcome == CheckOutcome.Completed ? result with { Outcome = CheckOutcome.StateUnavailable } : result;
    }

    /// <summary>
    /// Says that state cannot be kept and what that holds back, at every check (near a threshold, where checks come
    /// many times a second, once per check_interval); true when it cannot.
    /// </summary>
    private bool ReportStateProblem()
    {
        if ((state.Problem ?? notifier.OutboxProblem) is not { } problem)
        {
            _stateProblemLoggedAt = null;
            return false;
        }

        var now = timeProvider.GetTimestamp();
        if (_stateProblemLoggedAt is not { } last || timeProvider.GetElapsedTime(last, now) >= settings.Monitor.CheckInterval)
        {
            _stateProblemLoggedAt = now;
            LogStateNotKept(problem, state.FallbackPath);
        }

        return true;
    }

    /// <summary>Counts a check that could not read usage; after notifications.degraded_after in a row, the admin is told.</summary>
    private void RecordUsageFailure(string reason, CheckTime time)
    {
        var (failed, notify) = QuotaPolicy.UsageFailed(state.Current, time.Now, settings.Notifications.DegradedAfter);
        Interlocked.Increment(ref _usageErrors);
        Volatile.Write(ref _usageFailuresInARow, failed.Health.UsageFailures);
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
        var thresholds = reading.Thresholds(settings.Thresholds);
        var forecast = Forecasts.Of(reading, settings.Monitor.Count, thresholds, time.Now, timeProvider.LocalTimeZone);
        var decision = QuotaPolicy.Evaluate(new QuotaInputs(
            thresholds, enforcer.PlanFor(thresholds), period, counted, previous, time, identity.Id, settings.Notifications.DailyReport,
            state.HistoryUnknown ? boot.BootedAt : null, boot.BootedAt, forecast, new LastReading(reading.Source, reading.Rx, reading.Tx)));
        if (decision.HoldEnded)
        {
            LogPauseEnded();
        }

        var snapshot = Snapshot(reading, decision.State, period, forecast);
        // Published before anything is logged or done, so /metrics never lags the log's "Used …" line; what the
        // steps then do replaces it below.
        LastSnapshot = snapshot;
        if (decision.NewPeriodStarted)
        {
            LogNewPeriod(period);
            RecordEndedPeriod(previous, period);
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
            snapshot = Snapshot(reading, enforced, period, forecast);
            state.Update(enforced);
            // What the steps queued (ran / failed) goes in the round after the one under way: never twice at once.
            notifier.Deliver();
        }

        LastSnapshot = snapshot;
        Volatile.Write(ref _usageFailuresInARow, 0);
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

    /// <summary>Adds the period that just ended to the history; a history that cannot be written never stops the check.</summary>
    private void RecordEndedPeriod(MonitorState previous, BillingPeriod period)
    {
        if (!runMode.KeepsState || PeriodClosing.Record(previous, period, settings.Thresholds.TotalLimit.Bytes, settings.Thresholds.CriticalBytes) is not { } ended)
        {
            return;
        }

        try
        {
            history.Add(ended);
            LogPeriodRecorded(new BillingPeriod(ended.PeriodStart, period.Start), history.FilePath);
        }
        catch (StateException e)
        {
            LogHistoryNotWritten(e.Message);
        }
    }

    private QuotaSnapshot Snapshot(UsageReading reading, MonitorState decided, BillingPeriod period, Forecast forecast)
    {
        var thresholds = reading.Thresholds(settings.Thresholds);
        return QuotaSnapshot.Create(Environment.MachineName, thresholds, settings.Monitor.Count, reading, enforcer.Progress(thresholds, decided, period), forecast);
    }

    [LoggerMessage(EventId = LogEvents.UsageUnavailable, Level = LogLevel.Error,
        Message = "Usage could not be read from {Source}, so nothing is decided this check: {Reason}")]
    private partial void LogUsageUnavailable(string source, string reason);

    [LoggerMessage(EventId = LogEvents.FirstUsage, Level = LogLevel.Information, Message = "{Usage}")]
    private partial void LogFirstUsage(UsageSummary usage);

    [LoggerMessage(EventId = LogEvents.Usage, Level = LogLevel.Debug, Message = "{Usage}")]
    private partial void LogUsage(UsageSummary usage);

    /// <summary>Formats the per-check usage line only when the log level lets it through.</summary>
    internal sealed record UsageSummary(QuotaSnapshot Snapshot, UsageReading Reading)
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

    [LoggerMessage(EventId = LogEvents.PeriodRecorded, Level = LogLevel.Information, Message = "The period {Period} is kept in the history ({Path}): see 'traffic-monitor history'")]
    private partial void LogPeriodRecorded(BillingPeriod period, string path);

    [LoggerMessage(EventId = LogEvents.HistoryNotWritten, Level = LogLevel.Warning,
        Message = "The period that just ended could not be added to the history, so 'traffic-monitor history' will lack it: {Reason}")]
    private partial void LogHistoryNotWritten(string reason);

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
