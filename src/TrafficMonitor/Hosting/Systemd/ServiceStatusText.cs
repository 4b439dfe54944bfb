using TrafficMonitor.Monitoring;

namespace TrafficMonitor.Hosting.Systemd;

/// <summary>The one-line text <c>systemctl status</c> shows after a check.</summary>
public static class ServiceStatusText
{
    public static string For(CheckResult result) => result switch
    {
        { Reading: { } reading, Snapshot: { } snapshot } => new QuotaCheck.UsageSummary(snapshot, reading) + result.Outcome switch
        {
            CheckOutcome.ActionFailed => "; the critical action failed (retried at the next check, see the log)",
            CheckOutcome.StateUnavailable => "; the state cannot be kept (see the log)",
            _ => string.Empty,
        },
        { Outcome: CheckOutcome.UsageUnavailable } => "Usage could not be read, so nothing was decided (see the log); trying again at the next check",
        _ => $"Check: {result.Outcome}",
    };
}
