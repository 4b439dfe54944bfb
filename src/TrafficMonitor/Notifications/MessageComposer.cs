using System.Globalization;
using System.Text;
using TrafficMonitor.Configuration;

namespace TrafficMonitor.Notifications;

/// <summary>Builds each notification's short text: what happened, the numbers, and what to do. Pure.</summary>
public static class MessageComposer
{
    private const string Tag = "[traffic-monitor]";

    public static Notification StageReached(QuotaSnapshot snapshot, long stageBytes, string criticalAction, bool dryRun, DateTimeOffset now)
    {
        var subject = $"{Prefix(dryRun)}{snapshot.HostName}: {Size(snapshot.UsedBytes, snapshot)} used ({Percent(snapshot)}) of {Size(snapshot.LimitBytes, snapshot)}";
        var body = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{snapshot.HostName} passed the {Size(stageBytes, snapshot)} alert stage.")
            .AppendLine()
            .Append(Facts(snapshot))
            .AppendLine(CultureInfo.InvariantCulture, $"At the critical point ({Size(snapshot.CriticalBytes, snapshot)}): {criticalAction}.")
            .AppendLine()
            .AppendLine("Nothing to do yet; if this is more traffic than expected, find what is sending it (e.g. vnstat -l, iftop).")
            .Append(DryRunNote(dryRun));
        return new Notification(NotificationKind.StageReached, subject, body.ToString(), snapshot, stageBytes, dryRun, now);
    }

    public static Notification CriticalReached(QuotaSnapshot snapshot, string criticalAction, bool dryRun, DateTimeOffset now)
    {
        var subject = $"{Prefix(dryRun)}CRITICAL {snapshot.HostName}: {Size(snapshot.UsedBytes, snapshot)} used ({Percent(snapshot)}), {criticalAction}";
        var body = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{snapshot.HostName} reached the critical point of its traffic quota ({Size(snapshot.CriticalBytes, snapshot)}).")
            .AppendLine()
            .Append(Facts(snapshot))
            .AppendLine(CultureInfo.InvariantCulture, $"Action: {criticalAction}.")
            .AppendLine()
            .AppendLine("To keep the server up, cancel a pending shutdown (shutdown -c) and raise thresholds.total_limit or set actions.shutdown.enabled: false.")
            .Append(DryRunNote(dryRun));
        return new Notification(NotificationKind.CriticalReached, subject, body.ToString(), snapshot, null, dryRun, now);
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
        return new Notification(NotificationKind.ActionFailed, subject, body.ToString(), snapshot, null, dryRun, now);
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

    private static string Percent(QuotaSnapshot s) => string.Create(CultureInfo.InvariantCulture, $"{s.Percent:0.##}%");

    private static string Prefix(bool dryRun) => dryRun ? $"{Tag} [DRY RUN] " : $"{Tag} ";

    private static string DryRunNote(bool dryRun) =>
        dryRun ? Environment.NewLine + "This is a dry run (--dry-run): no action was taken." + Environment.NewLine : string.Empty;
}
