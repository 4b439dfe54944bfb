using System.Globalization;
using System.Text;
using TrafficMonitor.Configuration;
using TrafficMonitor.Enforcement;
using TrafficMonitor.Notifications.Outbox;
using TrafficMonitor.Quota;
using TrafficMonitor.State;
using TrafficMonitor.Usage;
using TrafficMonitor.Usage.ProviderApi;

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
    EnforcementSteps steps,
    OutboxStore outbox,
    AutoUsageSource autoUsageSource,
    TimeProvider timeProvider)
{
    public async Task<StatusReport> BuildAsync(CancellationToken cancellationToken)
    {
        var thresholds = settings.Thresholds;
        var time = CheckTime.From(timeProvider);
        var period = time.Period(settings.Monitor.ResetDay);
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

        // The provider's API may give the limit and the period (total_limit / reset_day: provider).
        thresholds = reading?.Thresholds(thresholds) ?? thresholds;
        period = reading?.Period ?? period;

        // While the state directory cannot be written, the daemon keeps its record under the runtime directory.
        var saved = stateStore.Peek();
        var notKept = fallback.NewerThan(saved);
        var progress = steps.Progress(thresholds, notKept?.State ?? saved, period);
        var count = settings.Monitor.Count;
        var forecast = reading is null ? null : Forecasts.Of(reading, count, thresholds, time.Now, timeProvider.LocalTimeZone);
        var snapshot = reading is null ? null : QuotaSnapshot.Create(Environment.MachineName, thresholds, count, reading, progress, forecast);
        var shutdown = steps.IsLadder ? null : progress.Steps.Single(s => s.Id == ShutdownStep.StepId);
        var hold = progress.Hold is { } h && h.ActiveAt(time.Now) ? h : null;
        var shown = Steps(progress, hold);
        return new StatusReport
        {
            ConfigFile = settings.SourcePath,
            Provider = usageSource.Name,
            CountMode = settings.Monitor.Count.ToString().ToLowerInvariant(),
            PeriodStart = period.Start,
            PeriodEnd = period.LastDay,
            ResetDay = settings.Monitor.ResetDayFromProvider ? period.Start.Day : settings.Monitor.ResetDay,
            Interfaces = reading?.Interfaces.Select(i => new StatusInterface(i.Name, i.Rx, i.Tx) { CountedBytes = UsageReading.Count(count, i.Rx, i.Tx) }).ToList() ?? [],
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
            ProviderApi = reading?.Provider is { } provider ? ProviderStatus(provider) : null,
            StateProblem = notKept is null ? null : $"cannot be written since {notKept.Since:yyyy-MM-dd HH:mm:ss zzz} ({notKept.Problem}); the monitor keeps its record in {fallback.FilePath} until the next reboot",
            CheckedAt = time.Now,
            Today = time.Today,
            Days = reading?.Days.Select(d => new StatusDay(d.Date, d.Rx, d.Tx, reading.CountedOn(d, count))).ToList() ?? [],
            Steps = shown,
            Forecast = snapshot?.Forecast is { } f
                ? new StatusForecast(f.RecentBytesPerDay, f.ProjectedBytes, f.LinearBytes, f.CriticalAt, f.CriticalBeforePeriodEnd, f.DaysLeft, f.DailyBudgetBytes, f.BasisHours, f.Settled)
                : null,
            Monitor = MonitorView(notKept?.State ?? saved, progress, shown, time.Now),
            CheckIntervalSeconds = settings.Monitor.CheckInterval.TotalSeconds,
        };
    }

    private static string StepState(StatusStep step) =>
        step.RuleRemoved ? $"IN FORCE since {step.AppliedSince:yyyy-MM-dd HH:mm:ss zzz}, undone at the next check"
        : step.Applied ? $"applied since {step.AppliedSince:yyyy-MM-dd HH:mm:ss zzz}"
        : step.RanThisPeriod && !step.Revertible ? $"ran this period at {step.LastRunAt:yyyy-MM-dd HH:mm:ss zzz}"
        : step.Failures > 0 ? $"FAILED {step.Failures} time(s) this period, retried"
        : step.Held ? "not applied (held)"
        : step.RanThisPeriod ? $"not applied (undone at {step.RevertedAt:yyyy-MM-dd HH:mm:ss zzz})"
        : "not applied";

    private static StatusProviderApi ProviderStatus(ProviderFigures p) => new(
        p.Kind, p.Billing, p.BilledBytes, p.OwnBytes, p.DifferenceBytes, p.Reading?.ProviderBytes, p.Reading?.ReadAt, p.OwnSinceBytes,
        p.LimitBytes, p.NextReset, p.Degraded, p.FailingSince,
        p.Comparison?.From, p.Comparison?.To, p.Comparison?.ProviderBytes, p.Comparison?.OwnBytes, p.Comparison?.DifferencePercent);

    /// <summary>Each step once: its point, whether it ran, whether it is applied and since when, and whether a hold keeps it back.</summary>
    private static List<StatusStep> Steps(QuotaProgress progress, EnforcementHold? hold) =>
        progress.Steps
            .Select(s => new StatusStep(s.Id, s.RuleRemoved ? null : s.AtBytes, s.Enabled, s.RanThisPeriod, s.LastRunAt, s.Runs, s.Failures)
            {
                Kind = s.Kind,
                StopsAtBytes = s.RuleRemoved ? null : s.StopsAtBytes,
                Revertible = s.Revertible,
                Applied = s.InForce,
                AppliedSince = s.InForceSince,
                RevertedAt = s.RevertedAt,
                Held = hold is not null && !s.InForce && !s.RanThisPeriod,
                RuleRemoved = s.RuleRemoved,
            })
            .ToList();

    /// <summary>The daemon's view: what its last check this period read and decided, from the state it wrote.</summary>
    private static StatusMonitorView? MonitorView(MonitorState state, QuotaProgress progress, IReadOnlyList<StatusStep> steps, DateTimeOffset now)
    {
        if (progress.LastCheckAt is not { } last)
        {
            return null;
        }

        var reading = state.Health.LastReading;
        return new StatusMonitorView(
            last, (long)Math.Max(0, (now - last).TotalSeconds), reading?.Source, progress.LastCountedBytes, reading?.RxBytes, reading?.TxBytes,
            progress.CriticalNotified, steps);
    }

    private StatusNotifications Notifications()
    {
        var waiting = outbox.PeekEntries().Where(e => e.Deliveries.Values.Any(d => d.Status == DeliveryStatus.Pending)).ToList();
        var errors = waiting.SelectMany(e => e.Deliveries.Values)
            .Where(d => d.Status == DeliveryStatus.Pending && d.LastError is not null)
            .Select(d => d.LastError!)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return new StatusNotifications(waiting.Count, waiting.Count > 0 ? waiting.Min(e => e.Notification.CreatedAt) : null, errors);
    }

    private static string ProviderText(StatusProviderApi api, SizeUnits units)
    {
        string Size(long bytes) => $"{ByteSize.Format(bytes, units)} ({bytes.ToString(CultureInfo.InvariantCulture)} bytes)";
        var text = new StringBuilder();
        var meter = api.ProviderBytes is { } read
            ? $"{Size(read)} at {api.ProviderReadAt:yyyy-MM-dd HH:mm:ss zzz} + {Size(api.OwnSinceBytes)} counted since"
            : "no good reading this period yet: the own counters alone";
        text.AppendLine(CultureInfo.InvariantCulture, $"Provider meter:  {api.Kind} ({api.Billing}): {meter}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Own count:       {Size(api.OwnBytes)} this period; the decision counts {Size(api.CountedBytes)}, {(api.DifferenceBytes < 0 ? "-" : "+")}{ByteSize.Format(Math.Abs(api.DifferenceBytes), units)} from the own count");
        if (api.CompareProviderBytes is { } provider && api.CompareOwnBytes is { } own)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"Compared:        {api.CompareFrom:yyyy-MM-dd HH:mm} to {api.CompareTo:yyyy-MM-dd HH:mm}: provider {ByteSize.Format(provider, units)}, own {ByteSize.Format(own, units)} ({api.CompareDifferencePercent?.ToString("+0.#;-0.#;0", CultureInfo.InvariantCulture)}%)");
        }

        if (api.Error is { } error)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Provider API:    NOT ANSWERING since {api.FailingSince:yyyy-MM-dd HH:mm:ss zzz}: {error}");
        }

        return text.ToString();
    }

    /// <summary>The key lines (one fact each, for reading and for grep), then the bar, the chart, the table and the forecast.</summary>
    public static string FormatText(StatusReport report, SizeUnits units, ScreenStyle? style = null)
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

        if (report.ProviderApi is { } api)
        {
            text.Append(ProviderText(api, units));
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
            foreach (var step in report.Steps.Where(s => s.Enabled))
            {
                var where = step.AtBytes is not { } at ? ", rule removed"
                    : step.StopsAtBytes is { } stops ? $" armed at {ByteSize.Format(at, units)}, stops traffic at {ByteSize.Format(stops, units)}"
                    : $" at {ByteSize.Format(at, units)}";
                text.AppendLine(CultureInfo.InvariantCulture, $"  {step.Id} ({step.Kind}{where}): {StepState(step)}");
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

        text.Append(StatusScreen.Render(report, units, style ?? ScreenStyle.Plain));
        return text.ToString();
    }
}
