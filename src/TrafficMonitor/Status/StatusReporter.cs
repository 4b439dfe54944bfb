using System.Globalization;
using System.Text;
using TrafficMonitor.Configuration;
using TrafficMonitor.Enforcement;
using TrafficMonitor.Notifications.Outbox;
using TrafficMonitor.Quota;
using TrafficMonitor.State;
using TrafficMonitor.Usage;

namespace TrafficMonitor.Status;

/// <summary>
/// Builds the status report without side effects: it reads usage and state but acts on nothing. The numbers come
/// from the same <see cref="QuotaSnapshot"/> a check computes.
/// </summary>
public sealed class StatusReporter(
    TrafficMonitorSettings settings,
    IUsageSource usageSource,
    StateStore stateStore,
    StateFallback fallback,
    Enforcer enforcer,
    OutboxStore outbox,
    AutoUsageSource autoUsageSource,
    TimeProvider timeProvider)
{
    public async Task<StatusReport> BuildAsync(CancellationToken cancellationToken)
    {
        var thresholds = settings.Thresholds;
        var now = timeProvider.GetUtcNow();
        var period = CheckTime.From(timeProvider).Period(settings.Monitor.ResetDay);
        UsageReading? reading = null;
        string? usageError = null;
        try
        {
            reading = await usageSource.ReadAsync(period, cancellationToken).ConfigureAwait(false);
        }
        catch (UsageUnavailableException e)
        {
            usageError = e.Message;
        }

        // While the state directory cannot be written, the daemon keeps its record under the runtime directory.
        var saved = stateStore.Peek();
        var kept = fallback.Peek();
        var notKept = kept is not null && kept.State.Health.LastCheckAt > saved.Health.LastCheckAt ? kept : null;
        var progress = enforcer.Progress(thresholds, notKept?.State ?? saved, period);
        var snapshot = reading is null ? null : QuotaSnapshot.Create(Environment.MachineName, thresholds, settings.Monitor.Count, reading, progress);
        var shutdown = enforcer.IsLadder ? null : progress.Steps.Single(s => s.Id == ShutdownStep.StepId);
        var hold = progress.Hold is { } h && h.ActiveAt(now) ? h : null;
        return new StatusReport
        {
            ConfigFile = settings.SourcePath,
            Provider = usageSource.Name,
            CountMode = settings.Monitor.Count.ToString().ToLowerInvariant(),
            PeriodStart = period.Start,
            PeriodEnd = period.LastDay,
            ResetDay = settings.Monitor.ResetDay,
            Interfaces = reading?.Interfaces.Select(i => new StatusInterface(i.Name, i.Rx, i.Tx)).ToList() ?? [],
            RxBytes = snapshot?.RxBytes,
            TxBytes = snapshot?.TxBytes,
            CountedBytes = snapshot?.UsedBytes,
            LimitBytes = thresholds.TotalLimit.Bytes,
            PercentUsed = snapshot?.Percent,
            IntervalBytes = thresholds.Interval.Bytes,
            StagesNotified = progress.StagesNotified,
            NextStageBytes = snapshot is null ? AlertPolicy.NextStage(thresholds, progress.LastCountedBytes ?? 0) : snapshot.NextStageBytes,
            CriticalBytes = thresholds.CriticalBytes,
            CriticalPercentage = thresholds.CriticalPercentage,
            CriticalReached = snapshot?.UsedBytes >= thresholds.CriticalBytes,
            CriticalNotified = progress.CriticalNotified,
            Action = shutdown is null ? null : new StatusAction(shutdown.Id, shutdown.Enabled, shutdown.Command, shutdown.RanThisPeriod, shutdown.LastRunAt, shutdown.Runs, shutdown.Failures),
            Steps = progress.Steps.Where(s => s.Enabled).Select(s => new StatusStep(
                s.Id, s.Kind, s.RuleRemoved ? null : s.AtBytes, s.Revertible, s.InForce, s.InForceSince, s.RanThisPeriod, s.LastRunAt, s.Failures, s.RevertedAt,
                hold is not null && !s.InForce && !s.RanThisPeriod, s.RuleRemoved)).ToList(),
            Hold = hold is null ? null : new StatusHold(hold.Since, hold.Until, hold.RevertAll),
            DataUpdatedAt = reading?.DataUpdatedAt,
            LastCheckAt = progress.LastCheckAt,
            UsageError = usageError,
            ProviderSetting = settings.Monitor.Provider,
            ProviderReason = settings.Monitor.Provider == MonitorOptions.AutoProvider ? autoUsageSource.Reason : null,
            MeasuredRxBytes = reading?.MeasuredRx,
            MeasuredTxBytes = reading?.MeasuredTx,
            AdjustPercent = settings.Monitor.AdjustPercent,
            CalibrationOffsetBytes = reading?.CalibrationOffset(settings.Monitor.Count) ?? 0,
            Notifications = Notifications(),
            StateProblem = notKept is null ? null : $"cannot be written since {notKept.Since:yyyy-MM-dd HH:mm:ss zzz} ({notKept.Problem}); the monitor keeps its record in {fallback.FilePath} until the next reboot",
        };
    }

    private StatusNotifications Notifications()
    {
        var waiting = outbox.Peek().Entries.Where(e => e.Deliveries.Values.Any(d => d.Status == DeliveryStatus.Pending)).ToList();
        var errors = waiting.SelectMany(e => e.Deliveries.Values)
            .Where(d => d.Status == DeliveryStatus.Pending && d.LastError is not null)
            .Select(d => d.LastError!)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return new StatusNotifications(waiting.Count, waiting.Count > 0 ? waiting.Min(e => e.Notification.CreatedAt) : null, errors);
    }

    private static string StepState(StatusStep step) =>
        step.RuleRemoved ? $"IN FORCE since {step.AppliedSince:yyyy-MM-dd HH:mm:ss zzz}, undone at the next check"
        : step.Applied ? $"applied since {step.AppliedSince:yyyy-MM-dd HH:mm:ss zzz}"
        : step.RanThisPeriod && !step.Revertible ? $"ran this period at {step.LastRunAt:yyyy-MM-dd HH:mm:ss zzz}"
        : step.Failures > 0 ? $"FAILED {step.Failures} time(s) this period, retried"
        : step.Held ? "not applied (held)"
        : step.RanThisPeriod ? $"not applied (undone at {step.RevertedAt:yyyy-MM-dd HH:mm:ss zzz})"
        : "not applied";

    public static string FormatText(StatusReport report, SizeUnits units)
    {
        string Size(long? bytes) => bytes is { } b ? $"{ByteSize.Format(b, units)} ({b.ToString(CultureInfo.InvariantCulture)} bytes)" : "unknown";
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Billing period:  {report.PeriodStart:yyyy-MM-dd} to {report.PeriodEnd:yyyy-MM-dd} (resets on day {report.ResetDay})");
        var chosen = report.ProviderSetting == report.Provider ? report.Provider : $"{report.Provider} (provider: {report.ProviderSetting})";
        text.AppendLine(CultureInfo.InvariantCulture, $"Usage source:    {chosen}{(report.ProviderReason is { } why ? $"; {why}" : string.Empty)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Counting:        {(report.Interfaces.Count > 0 ? string.Join(", ", report.Interfaces.Select(i => $"{i.Name} (rx {ByteSize.Format(i.RxBytes, units)}, tx {ByteSize.Format(i.TxBytes, units)})")) : "-")}");
        if (report.UsageError is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Usage:           UNAVAILABLE: {report.UsageError}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"Received (rx):   {Size(report.RxBytes)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Sent (tx):       {Size(report.TxBytes)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"{$"Counted ({report.CountMode}):",-17}{Size(report.CountedBytes)}");
        if (report.AdjustPercent != 0 || report.CalibrationOffsetBytes != 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"Calibration:     measured rx {Size(report.MeasuredRxBytes)}, tx {Size(report.MeasuredTxBytes)}; adjust_percent {report.AdjustPercent.ToString(CultureInfo.InvariantCulture)}%; set-usage offset {(report.CalibrationOffsetBytes < 0 ? "-" : "+")}{ByteSize.Format(Math.Abs(report.CalibrationOffsetBytes), units)}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"Limit:           {Size(report.LimitBytes)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Used:            {(report.PercentUsed is { } p ? p.ToString("0.##", CultureInfo.InvariantCulture) + "%" : "unknown")}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Stages notified: {(report.StagesNotified.Count == 0 ? "none yet this period" : string.Join(", ", report.StagesNotified.Select(s => ByteSize.Format(s, units))))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Next stage:      {(report.NextStageBytes is { } n ? ByteSize.Format(n, units) : "none (all passed)")}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Critical point:  {ByteSize.Format(report.CriticalBytes, units)} ({report.CriticalPercentage.ToString(CultureInfo.InvariantCulture)}%){(report.CriticalReached ? ": REACHED" : string.Empty)}");
        if (report.Action is { } action)
        {
            var actionState = !action.Enabled ? "disabled"
                : action.RanThisPeriod ? $"ran this period at {action.LastRunAt:yyyy-MM-dd HH:mm:ss zzz}"
                : action.Failures > 0 ? $"FAILED {action.Failures} time(s) this period, retried at each check"
                : "has not run this period";
            text.AppendLine(CultureInfo.InvariantCulture, $"Critical action: {action.Kind} ({string.Join(' ', action.Command)}): {actionState}");
        }
        else
        {
            text.AppendLine("Enforcement:     the ladder (actions.rules)");
            foreach (var step in report.Steps)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {step.Id} ({step.Kind}{(step.AtBytes is { } at ? $" at {ByteSize.Format(at, units)}" : ", rule removed")}): {StepState(step)}");
            }
        }

        if (report.Hold is { } hold)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"Hold:            {(hold.RevertAll ? "revert-all" : "paused")} since {hold.Since:yyyy-MM-dd HH:mm:ss zzz}, {(hold.Until is { } until ? $"until {until:yyyy-MM-dd HH:mm:ss zzz}" : "until 'traffic-monitor resume'")}: no step is applied");
        }
        if (report.Notifications is { Pending: > 0 } waiting)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"Notifications:   {waiting.Pending} waiting for delivery since {waiting.OldestQueuedAt:yyyy-MM-dd HH:mm:ss zzz}{(waiting.LastErrors.Count > 0 ? $"; last error: {waiting.LastErrors[^1]}" : string.Empty)}");
        }

        if (report.StateProblem is { } stateProblem)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"State:           NOT KEPT: {stateProblem}");
        }

        if (report.LastCheckAt is { } last)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Last check:      {last:yyyy-MM-dd HH:mm:ss zzz}");
        }

        return text.ToString();
    }
}
