using System.Globalization;
using System.Text;
using TrafficMonitor.Configuration;
using TrafficMonitor.Quota;
using TrafficMonitor.Usage.ProviderApi;

namespace TrafficMonitor.Notifications;

/// <summary>A step of the ladder as a message names it.</summary>
public sealed record StepNotice(string Id, string Description, long AtBytes, bool Revertible);

/// <summary>Builds each notification's short text: what happened, the numbers, and what to do. Pure.</summary>
public static class MessageComposer
{
    private const string Tag = "[traffic-monitor]";

    /// <summary>How the critical action reads when the ladder (actions.rules) replaces it.</summary>
    public const string LadderDescription = "the enforcement ladder acts at its own points";

    public static Notification StageReached(QuotaSnapshot snapshot, long stageBytes, string criticalAction, bool dryRun, DateTimeOffset now)
    {
        var subject = $"{Prefix(dryRun)}{snapshot.HostName}: {Size(snapshot.UsedBytes, snapshot)} used ({Percent(snapshot)}) of {Size(snapshot.LimitBytes, snapshot)}";
        var body = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{snapshot.HostName} passed the {Size(stageBytes, snapshot)} alert stage.")
            .AppendLine()
            .Append(Facts(snapshot))
            .AppendLine(CultureInfo.InvariantCulture, $"At the critical point ({Size(snapshot.CriticalBytes, snapshot)}): {Sentence(criticalAction)}")
            .AppendLine()
            .AppendLine("Nothing to do yet; if this is more traffic than expected, find what is sending it (e.g. vnstat -l, iftop).")
            .Append(DryRunNote(dryRun));
        return Create(Id(dryRun, $"stage-{PeriodKey(snapshot)}-{stageBytes.ToString(CultureInfo.InvariantCulture)}"),
            NotificationKind.StageReached, subject, body, snapshot, stageBytes, dryRun, now);
    }

    public static Notification CriticalReached(QuotaSnapshot snapshot, string criticalAction, bool dryRun, DateTimeOffset now)
    {
        var subject = $"{Prefix(dryRun)}CRITICAL {snapshot.HostName}: {Size(snapshot.UsedBytes, snapshot)} used ({Percent(snapshot)}), {criticalAction}";
        var body = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{snapshot.HostName} reached the critical point of its traffic quota ({Size(snapshot.CriticalBytes, snapshot)}).")
            .AppendLine()
            .Append(Facts(snapshot))
            .AppendLine(CultureInfo.InvariantCulture, $"Action: {Sentence(criticalAction)}")
            .AppendLine()
            .AppendLine(criticalAction.StartsWith(LadderDescription, StringComparison.Ordinal)
                ? "Each step of the ladder acts at its own point; to hold them all: traffic-monitor pause (alerts still go out)."
                : "To keep the server up, cancel a pending shutdown (shutdown -c) and raise thresholds.total_limit or set actions.shutdown.enabled: false.")
            .Append(DryRunNote(dryRun));
        return Create(Id(dryRun, $"critical-{PeriodKey(snapshot)}"), NotificationKind.CriticalReached, subject, body, snapshot, null, dryRun, now);
    }

    public static Notification ActionRun(QuotaSnapshot snapshot, string action, int run, bool dryRun, DateTimeOffset now)
    {
        var subject = $"{Prefix(dryRun)}{snapshot.HostName}: the critical action ran ({action})";
        var body = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{snapshot.HostName} is over the critical point of its traffic quota, so the critical action ran: {Sentence(action)}")
            .AppendLine()
            .Append(Facts(snapshot))
            .AppendLine("To undo it: cancel a pending shutdown (shutdown -c) or start the server again, then raise thresholds.total_limit or set actions.shutdown.enabled: false.")
            .Append(DryRunNote(dryRun));
        return Create(Id(dryRun, $"action-run-{PeriodKey(snapshot)}-{run.ToString(CultureInfo.InvariantCulture)}"),
            NotificationKind.ActionRun, subject, body, snapshot, null, dryRun, now);
    }

    public static Notification ActionFailed(QuotaSnapshot snapshot, string action, string error, bool dryRun, DateTimeOffset now)
    {
        var subject = $"{Prefix(dryRun)}FAILED {snapshot.HostName}: the critical action ({action}) did not run";
        var body = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{snapshot.HostName} is over the critical point of its traffic quota, but the critical action failed:")
            .AppendLine(error)
            .AppendLine()
            .Append(Facts(snapshot))
            .AppendLine("It is retried at every check. Fix the command (actions.shutdown.command) or act by hand.")
            .Append(DryRunNote(dryRun));
        return Create(Id(dryRun, $"action-failed-{Stamp(now)}"), NotificationKind.ActionFailed, subject, body, snapshot, null, dryRun, now);
    }

    /// <summary>A step of the ladder (actions.rules) was applied (or applied again after a reboot lost it).</summary>
    public static Notification StepApplied(QuotaSnapshot snapshot, StepNotice step, int run, bool reapplied, bool dryRun, DateTimeOffset now)
    {
        var subject = $"{Prefix(dryRun)}{snapshot.HostName}: {step.Id} {(reapplied ? "applied again" : "applied")} at {Size(snapshot.UsedBytes, snapshot)} ({Percent(snapshot)})";
        var opening = reapplied
            ? $"{snapshot.HostName} applied the step {step.Id} again ({step.Description}): the reboot lost it, and usage is still over its point ({Size(step.AtBytes, snapshot)})."
            : $"{snapshot.HostName} reached {Size(step.AtBytes, snapshot)} of its traffic quota, so the step {step.Id} was applied: {Sentence(step.Description)}";
        var body = new StringBuilder()
            .AppendLine(opening)
            .AppendLine()
            .Append(Facts(snapshot))
            .AppendLine(step.Revertible
                ? $"It holds until the billing period ends ({Iso8601.Day(snapshot.Period.LastDay)}), then it is undone. To lift it now: traffic-monitor pause (until resume, or --until TIME); traffic-monitor revert-all removes every step."
                : "It ran once for this period. To stop the next steps: traffic-monitor pause; to change them, edit actions.rules.")
            .Append(DryRunNote(dryRun));
        return Create(Id(dryRun, $"step-applied-{Key(step.Id)}-{PeriodKey(snapshot)}-{run.ToString(CultureInfo.InvariantCulture)}"),
            NotificationKind.StepApplied, subject, body, snapshot, null, dryRun, now);
    }

    /// <summary>
    /// A step in force was found gone (a firewall reload flushed its table) and was put back: the admin learns that
    /// something on the machine removes it.
    /// </summary>
    public static Notification StepRepaired(QuotaSnapshot snapshot, StepNotice step, string repaired, bool dryRun, DateTimeOffset now)
    {
        var subject = $"{Prefix(dryRun)}{snapshot.HostName}: {step.Id} was removed and put back";
        var body = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{snapshot.HostName} found the step {step.Id} no longer in force, and put it back: {Sentence(repaired)}")
            .AppendLine()
            .Append(Facts(snapshot))
            .AppendLine("Something on the machine removed it (a firewall reload, 'nft flush ruleset'); the monitor checks it at every check. If that reload is part of your setup, nothing needs doing; to lift the step: traffic-monitor pause.")
            .Append(DryRunNote(dryRun));
        return Create(Id(dryRun, $"step-repaired-{Key(step.Id)}-{Stamp(now)}"), NotificationKind.StepApplied, subject, body, snapshot, null, dryRun, now);
    }

    /// <summary>A step of the ladder was undone.</summary>
    public static Notification StepReverted(QuotaSnapshot snapshot, StepNotice step, RevertReason reason, bool dryRun, DateTimeOffset now)
    {
        var why = reason switch
        {
            RevertReason.NewPeriod => "a new billing period started",
            RevertReason.Paused => "enforcement is paused (traffic-monitor pause or revert-all)",
            RevertReason.RuleRemoved => "its rule is no longer in actions.rules",
            RevertReason.BelowPoint => $"usage ({Size(snapshot.UsedBytes, snapshot)}) is below its point ({Size(step.AtBytes, snapshot)}) again",
            _ => "it was asked to be",
        };
        var subject = $"{Prefix(dryRun)}{snapshot.HostName}: {step.Id} undone ({why})";
        var body = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{snapshot.HostName} undid the step {step.Id}: {why}.")
            .AppendLine()
            .Append(Facts(snapshot))
            .AppendLine(reason == RevertReason.Paused
                ? "Nothing applies while enforcement is paused; notifications still go out. traffic-monitor resume ends the pause."
                : "Nothing to do.")
            .Append(DryRunNote(dryRun));
        return Create(Id(dryRun, $"step-reverted-{Key(step.Id)}-{Stamp(now)}"), NotificationKind.StepReverted, subject, body, snapshot, null, dryRun, now);
    }

    /// <summary>A step of the ladder could not be applied or undone; told once until it succeeds.</summary>
    public static Notification StepFailed(QuotaSnapshot snapshot, StepNotice step, bool reverting, string error, TimeSpan retryAfter, bool dryRun, DateTimeOffset now)
    {
        var subject = $"{Prefix(dryRun)}FAILED {snapshot.HostName}: {step.Id} could not be {(reverting ? "undone" : "applied")}";
        var retry = retryAfter > TimeSpan.Zero ? $"at later checks, at most every {DurationParser.Format(retryAfter)}" : "at every check";
        var body = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{snapshot.HostName} could not {(reverting ? "undo" : "apply")} the step {step.Id} ({Sentence(step.Description)})")
            .AppendLine(error)
            .AppendLine()
            .Append(Facts(snapshot))
            .AppendLine(CultureInfo.InvariantCulture, $"It is retried {retry}; you are told again only after it worked once. Fix the rule in actions.rules (or what it runs), or act by hand; traffic-monitor pause holds every step.")
            .Append(DryRunNote(dryRun));
        return Create(Id(dryRun, $"step-failed-{Key(step.Id)}-{Stamp(now)}"), NotificationKind.StepFailed, subject, body, snapshot, null, dryRun, now);
    }

    public static Notification MonitoringDegraded(string hostName, int failedChecks, DateTimeOffset since, string reason, bool dryRun, DateTimeOffset now)
    {
        var subject = $"{Prefix(dryRun)}{hostName}: traffic monitoring is not working";
        var body = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{hostName} could not read its traffic usage for {failedChecks} checks in a row (since {Iso8601.Time(since)}):")
            .AppendLine(reason)
            .AppendLine()
            .AppendLine("Until it can, no alert is sent and the critical action cannot run. Check vnStat (systemctl status vnstat; vnstat --json m)")
            .AppendLine("and the monitor's log (journalctl -u traffic-monitor). You are told when it works again.")
            .Append(DryRunNote(dryRun));
        return Create(Id(dryRun, $"degraded-{Stamp(since)}"), NotificationKind.MonitoringDegraded, subject, body, null, null, dryRun, now, hostName);
    }

    public static Notification MonitoringRecovered(QuotaSnapshot snapshot, DateTimeOffset since, bool dryRun, DateTimeOffset now)
    {
        var subject = $"{Prefix(dryRun)}{snapshot.HostName}: traffic monitoring works again";
        var body = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{snapshot.HostName} reads its traffic usage again (it could not from {Iso8601.Time(since)}).")
            .AppendLine()
            .Append(Facts(snapshot))
            .AppendLine("Nothing to do; alerts and the critical action work again.")
            .Append(DryRunNote(dryRun));
        return Create(Id(dryRun, $"recovered-{Stamp(since)}"), NotificationKind.MonitoringRecovered, subject, body, snapshot, null, dryRun, now);
    }

    public static Notification NewPeriod(QuotaSnapshot snapshot, long? previousPeriodBytes, bool dryRun, DateTimeOffset now)
    {
        var subject = $"{Prefix(dryRun)}{snapshot.HostName}: a new billing period started ({snapshot.Period})";
        var body = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{snapshot.HostName} started a new billing period: {snapshot.Period}. Every alert stage is armed again.");
        if (previousPeriodBytes is { } previous)
        {
            body.AppendLine(CultureInfo.InvariantCulture, $"The last period ended with {Size(previous, snapshot)} used of {Size(snapshot.LimitBytes, snapshot)}.");
        }

        body.AppendLine()
            .Append(Facts(snapshot))
            .AppendLine("Nothing to do. If the server was shut down by the critical action, it may run normally again.")
            .Append(DryRunNote(dryRun));
        return Create(Id(dryRun, $"period-{PeriodKey(snapshot)}"), NotificationKind.NewPeriod, subject, body, snapshot, null, dryRun, now);
    }

    public static Notification DailyReport(QuotaSnapshot snapshot, DateOnly day, long? yesterdayBytes, bool dryRun, DateTimeOffset now)
    {
        var subject = $"{Prefix(dryRun)}{snapshot.HostName}: {Size(snapshot.UsedBytes, snapshot)} used ({Percent(snapshot)}) of {Size(snapshot.LimitBytes, snapshot)}, daily report";
        var yesterday = yesterdayBytes is { } y ? Size(y, snapshot) : "unknown (the monitor did not run all of yesterday)";
        var daysLeft = snapshot.Period.End.DayNumber - day.DayNumber;
        var body = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Daily report for {snapshot.HostName}, {day:yyyy-MM-dd}.")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Yesterday: {yesterday}")
            .Append(Facts(snapshot))
            .AppendLine(CultureInfo.InvariantCulture, $"Days left in the period: {daysLeft.ToString(CultureInfo.InvariantCulture)}")
            .AppendLine()
            .AppendLine("Nothing to do. To stop these reports, remove notifications.daily_report.")
            .Append(DryRunNote(dryRun));
        return Create(Id(dryRun, $"daily-{day:yyyyMMdd}"), NotificationKind.DailyReport, subject, body, snapshot, null, dryRun, now);
    }

    /// <summary>The forecast says the critical point comes before the period ends: when, and what daily use would avoid it.</summary>
    public static Notification ForecastCritical(QuotaSnapshot snapshot, Forecast forecast, string criticalAction, bool dryRun, DateTimeOffset now)
    {
        var day = forecast.CriticalDay!.Value;
        var subject = $"{Prefix(dryRun)}{snapshot.HostName}: at this rate the critical point is reached on {day:yyyy-MM-dd}, before the period ends";
        var body = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture,
                $"At its recent rate ({Size(forecast.RecentBytesPerDay, snapshot)} a day) {snapshot.HostName} reaches the critical point ({Size(snapshot.CriticalBytes, snapshot)}) on {day:yyyy-MM-dd} (about {Iso8601.Time(forecast.CriticalAt!.Value)}), before its period ends on {snapshot.Period.LastDay:yyyy-MM-dd}.")
            .AppendLine(CultureInfo.InvariantCulture, $"Then: {Sentence(criticalAction)}")
            .AppendLine()
            .Append(Facts(snapshot))
            .AppendLine(CultureInfo.InvariantCulture, $"Projected at the period's end: {Size(forecast.ProjectedBytes, snapshot)} at the recent rate, {Size(forecast.LinearBytes, snapshot)} at the period's average")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture,
                $"To avoid it, keep to {Size(forecast.DailyBudgetBytes, snapshot)} a day for the {forecast.DaysLeft.ToString(CultureInfo.InvariantCulture)} day(s) left (today included): find what is sending the traffic (e.g. vnstat -l, iftop), or raise thresholds.total_limit.")
            .Append(DryRunNote(dryRun));
        return Create(Id(dryRun, $"forecast-{PeriodKey(snapshot)}-{day:yyyyMMdd}"), NotificationKind.ForecastCritical, subject, body, snapshot, null, dryRun, now);
    }

    public static Notification Test(string hostName, QuotaSnapshot? snapshot, DateTimeOffset now)
    {
        var subject = $"{Tag} {hostName}: test message";
        var body = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"This is a test from traffic-monitor on {hostName} (traffic-monitor test-notify).")
            .AppendLine("If you can read it, this channel works: alerts will reach you here.")
            .AppendLine();
        if (snapshot is not null)
        {
            body.Append(Facts(snapshot));
        }

        return Create($"test-{now:yyyyMMddTHHmmssfff}", NotificationKind.Test, subject, body, snapshot, null, false, now, hostName);
    }

    /// <summary>The provider's meter and the own counters counted the same interval differently: told once per period.</summary>
    public static Notification ProviderDisagrees(QuotaSnapshot snapshot, ProviderFigures provider, bool dryRun, DateTimeOffset now)
    {
        var c = provider.Comparison!;
        var percent = c.DifferencePercent.ToString("+0.#;-0.#;0", CultureInfo.InvariantCulture);
        var subject = $"{Prefix(dryRun)}{snapshot.HostName}: the own traffic count is {percent}% off {provider.Kind}'s meter";
        var body = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"From {Iso8601.Time(c.From)} to {Iso8601.Time(c.To)}, {provider.Kind}'s meter counted {Size(c.ProviderBytes, snapshot)} ({c.ProviderBytes.ToString(CultureInfo.InvariantCulture)} bytes),")
            .AppendLine(CultureInfo.InvariantCulture, $"the own counters {Size(c.OwnBytes, snapshot)} ({c.OwnBytes.ToString(CultureInfo.InvariantCulture)} bytes): {percent}%, more than provider_api.tolerance ({provider.TolerancePercent.ToString(CultureInfo.InvariantCulture)}%).")
            .AppendLine(CultureInfo.InvariantCulture, $"{provider.Kind} bills {provider.Billing}.")
            .AppendLine()
            .Append(Facts(snapshot))
            .AppendLine()
            .AppendLine("The decision follows the provider's figure (plus what the interfaces moved since its last reading), so alerts stay right;")
            .AppendLine("but the live part is counted on the wrong interfaces or direction. Check monitor.interfaces (traffic-monitor status lists")
            .AppendLine("them) and, for KiwiVM, monitor.count. Told once per billing period.")
            .Append(DryRunNote(dryRun));
        return Create(Id(dryRun, $"provider-disagrees-{PeriodKey(snapshot)}"), NotificationKind.ProviderDisagrees, subject, body, snapshot, null, dryRun, now);
    }

    /// <summary>The provider's API stopped answering: the own counters carry on from its last good reading.</summary>
    public static Notification ProviderUnavailable(QuotaSnapshot snapshot, ProviderFigures provider, bool dryRun, DateTimeOffset now)
    {
        var since = provider.FailingSince ?? now;
        var subject = $"{Prefix(dryRun)}{snapshot.HostName}: {provider.Kind}'s traffic API is not answering, counting on";
        var from = provider.Reading is { } last
            ? $"its last good reading ({Iso8601.Time(last.ReadAt)}: {Size(last.ProviderBytes, snapshot)}) plus what the interfaces moved since"
            : "what the interfaces moved this period (there was no good reading in it yet)";
        var body = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{snapshot.HostName} could not read {provider.Kind}'s traffic meter (since {Iso8601.Time(since)}):")
            .AppendLine(provider.Degraded ?? "no answer")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Alerts and the critical action go on, counting from {from}.")
            .AppendLine()
            .Append(Facts(snapshot))
            .AppendLine("It is asked again with backoff; the log says when it answers again. If it does not, check provider_api (traffic-monitor test-provider).")
            .Append(DryRunNote(dryRun));
        return Create(Id(dryRun, $"provider-unavailable-{Stamp(since)}"), NotificationKind.ProviderUnavailable, subject, body, snapshot, null, dryRun, now);
    }

    public static string Size(long bytes, QuotaSnapshot snapshot) => ByteSize.Format(bytes, snapshot.Units);

    private static string Facts(QuotaSnapshot s)
    {
        var counted = s.CountMode switch
        {
            CountMode.Rx => "received only",
            CountMode.Tx => "sent only",
            CountMode.Max => "the larger direction",
            _ => "received + sent",
        };
        var next = s.NextStageBytes is { } stage ? Size(stage, s) : "none (every stage passed)";
        return new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Used:     {Size(s.UsedBytes, s)} of {Size(s.LimitBytes, s)} ({Percent(s)}), counting {counted}")
            .AppendLine(CultureInfo.InvariantCulture, $"Received: {Size(s.RxBytes, s)}, sent: {Size(s.TxBytes, s)}")
            .AppendLine(CultureInfo.InvariantCulture, $"Period:   {s.Period}")
            .AppendLine(CultureInfo.InvariantCulture, $"Next stage: {next}")
            .ToString();
    }

    private static Notification Create(
        string id, NotificationKind kind, string subject, StringBuilder body, QuotaSnapshot? snapshot, long? stage, bool dryRun, DateTimeOffset now, string? hostName = null) =>
        new(id, kind, subject, body.ToString(), hostName ?? snapshot!.HostName, snapshot, stage, dryRun, now);

    // Ids name the event, not the moment: the same stage of the same period is the same notification.
    private static string Id(bool dryRun, string id) => dryRun ? "dry-run-" + id : id;

    // A step id may hold '@', '%' and spaces ("command@1.9 TiB"); notification ids become Message-IDs and idempotency keys.
    private static string Key(string stepId) => string.Concat(stepId.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-'));

    private static string PeriodKey(QuotaSnapshot snapshot) => snapshot.Period.Start.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMddTHHmmss", CultureInfo.InvariantCulture);

    /// <summary>Ends a sentence that closes with text from elsewhere (a command, a description) with exactly one stop.</summary>
    public static string Sentence(string text)
    {
        var trimmed = text.TrimEnd();
        return trimmed.Length > 0 && trimmed[^1] is '.' or '!' or '?' or '…' ? trimmed : trimmed + ".";
    }

    public static string Percent(QuotaSnapshot s) => string.Create(CultureInfo.InvariantCulture, $"{s.Percent:0.##}%");

    private static string Prefix(bool dryRun) => dryRun ? $"{Tag} [DRY RUN] " : $"{Tag} ";

    private static string DryRunNote(bool dryRun) =>
        dryRun ? Environment.NewLine + "This is a dry run (--dry-run): no action was taken." + Environment.NewLine : string.Empty;
}
