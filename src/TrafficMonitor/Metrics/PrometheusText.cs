using System.Globalization;
using System.Text;

namespace TrafficMonitor.Metrics;

/// <summary>
/// The Prometheus text exposition format 0.0.4, written by hand from a <see cref="MetricsView"/>: node_exporter-style
/// names with the <c>traffic_monitor_</c> prefix, base units (bytes, seconds), one HELP and TYPE line per family.
/// Families that need a check (usage, period, forecast) are left out until the first check could read usage.
/// </summary>
public static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";
    public const string Prefix = "traffic_monitor_";

    public static string Write(MetricsView view)
    {
        var text = new StringBuilder(4096);
        Family(text, "build_info", "gauge", "Always 1; the labels say which build runs.",
            (Labels(("version", view.Version), ("runtime", Environment.Version.ToString())), 1));
        Family(text, "check_interval_seconds", "gauge", "monitor.check_interval: how often usage is checked when no threshold is near.",
            (null, view.CheckInterval.TotalSeconds));
        Family(text, "provider_errors_total", "counter", "Checks that could not read usage, since the monitor started.",
            (null, view.UsageErrors));
        Family(text, "provider_failing_checks", "gauge", "Checks in a row that could not read usage (0 when the last one could).",
            (null, view.UsageFailuresInARow));
        Family(text, "degraded", "gauge", "1 when notifications.degraded_after checks in a row could not read usage.",
            (null, view.Degraded ? 1 : 0));
        Channels(text, view);

        if (view.Snapshot is not { } s)
        {
            return text.ToString();
        }

        Family(text, "usage_source_info", "gauge", "Always 1; the label says where usage was read from at the last check.",
            (Labels(("source", s.Reading?.Source ?? "unknown"), ("count", s.CountMode.ToString().ToLowerInvariant())), 1));
        if (view.CheckedAt is { } checkedAt)
        {
            Family(text, "last_successful_check_timestamp_seconds", "gauge", "When usage was last read and decided on (Unix time).",
                (null, Seconds(checkedAt)));
        }

        Family(text, "period_start_timestamp_seconds", "gauge", "Start of the billing period (local midnight, Unix time).", (null, Seconds(view.PeriodStartsAt!.Value)));
        Family(text, "period_end_timestamp_seconds", "gauge", "End of the billing period, exclusive (local midnight, Unix time).", (null, Seconds(view.PeriodEndsAt!.Value)));
        Family(text, "period_receive_bytes", "gauge", "Bytes received this billing period on the counted interfaces.", (null, s.RxBytes));
        Family(text, "period_transmit_bytes", "gauge", "Bytes transmitted this billing period on the counted interfaces.", (null, s.TxBytes));
        Family(text, "period_counted_bytes", "gauge", "Bytes counted against the quota this billing period (monitor.count of rx and tx).", (null, s.UsedBytes));
        if (s.Reading is { } reading)
        {
            Family(text, "interface_period_receive_bytes", "gauge", "Bytes one counted interface received this billing period (before calibration).",
                [.. reading.Interfaces.Select(i => (Labels(("interface", i.Name)), (double)i.Rx))]);
            Family(text, "interface_period_transmit_bytes", "gauge", "Bytes one counted interface transmitted this billing period (before calibration).",
                [.. reading.Interfaces.Select(i => (Labels(("interface", i.Name)), (double)i.Tx))]);
        }

        Family(text, "limit_bytes", "gauge", "thresholds.total_limit.", (null, s.LimitBytes));
        Family(text, "critical_bytes", "gauge", "The critical point: critical_percentage of the limit, where the critical alert and the enforcement steps start.", (null, s.CriticalBytes));
        if (s.IntervalBytes > 0)
        {
            Family(text, "interval_bytes", "gauge", "thresholds.interval: an alert stage at every multiple of it.", (null, s.IntervalBytes));
        }

        Family(text, "stage_reached_bytes", "gauge", "The highest alert stage notified this billing period (0 when none).", (null, view.StageReachedBytes));
        if (s.NextStageBytes is { } next)
        {
            Family(text, "next_stage_bytes", "gauge", "The next alert stage this billing period.", (null, next));
        }

        Family(text, "critical_reached", "gauge", "1 when the critical alert was sent this billing period.", (null, s.Progress?.CriticalNotified == true ? 1 : 0));
        if (view.ForecastBytes is { } forecast)
        {
            Family(text, "forecast_bytes", "gauge", "Counted bytes projected at the end of the billing period: used so far / time elapsed x period length, as of the last check.",
                (null, forecast));
        }

        Steps(text, s.Progress?.Steps ?? []);
        return text.ToString();
    }

    private static void Channels(StringBuilder text, MetricsView view)
    {
        if (view.Channels.Count == 0)
        {
            return;
        }

        string ChannelLabels(Notifications.ChannelCounts c) => Labels(("channel", c.Channel), ("name", c.Name));
        Family(text, "notifications_sent_total", "counter", "Notifications delivered through a channel since the monitor started.",
            [.. view.Channels.Select(c => (ChannelLabels(c), (double)c.Sent))]);
        Family(text, "notifications_failed_total", "counter", "Delivery attempts that failed on a channel since the monitor started (each is retried until notifications.expire).",
            [.. view.Channels.Select(c => (ChannelLabels(c), (double)c.Failed))]);
        Family(text, "notifications_pending", "gauge", "Notifications waiting in the outbox for a channel.",
            [.. view.Channels.Select(c => (ChannelLabels(c), (double)c.Pending))]);
    }

    private static void Steps(StringBuilder text, IReadOnlyList<Quota.StepStatus> steps)
    {
        if (steps.Count == 0)
        {
            return;
        }

        Family(text, "step_enabled", "gauge", "1 when the enforcement step is enabled.",
            [.. steps.Select(st => (Labels(("step", st.Id)), st.Enabled ? 1d : 0))]);
        Family(text, "step_applied", "gauge", "1 when the enforcement step ran this billing period.",
            [.. steps.Select(st => (Labels(("step", st.Id)), st.RanThisPeriod ? 1d : 0))]);
        Family(text, "step_runs", "gauge", "Times the enforcement step ran this billing period.",
            [.. steps.Select(st => (Labels(("step", st.Id)), (double)st.Runs))]);
        Family(text, "step_failures", "gauge", "Times the enforcement step failed this billing period.",
            [.. steps.Select(st => (Labels(("step", st.Id)), (double)st.Failures))]);
        // Where each step acts, so a dashboard can mark it: a kernel quota is armed at one point and stops traffic at another.
        var placed = steps.Where(st => !st.RuleRemoved).ToList();
        Family(text, "step_at_bytes", "gauge", "Where the enforcement step is applied, in counted bytes (a kernel quota: where it is armed).",
            [.. placed.Select(st => (Labels(("step", st.Id)), (double)st.AtBytes))]);
        var stopping = placed.Where(st => st.StopsAtBytes is not null).ToList();
        if (stopping.Count > 0)
        {
            Family(text, "step_stops_at_bytes", "gauge", "Where a step armed ahead of its point (a kernel quota) stops traffic, in counted bytes.",
                [.. stopping.Select(st => (Labels(("step", st.Id)), (double)st.StopsAtBytes!.Value))]);
        }

        var revertible = steps.Where(st => st.Revertible).ToList();
        if (revertible.Count > 0)
        {
            Family(text, "step_in_force", "gauge", "1 while a step that can be undone (throttle, block, quota, a command with undo) is applied; 0 when undone or not reached.",
                [.. revertible.Select(st => (Labels(("step", st.Id)), st.InForce ? 1d : 0))]);
        }

        var ran = steps.Where(st => st.LastRunAt is not null).ToList();
        if (ran.Count > 0)
        {
            Family(text, "step_last_run_timestamp_seconds", "gauge", "When the enforcement step last ran this billing period (Unix time).",
                [.. ran.Select(st => (Labels(("step", st.Id)), Seconds(st.LastRunAt!.Value)))]);
        }
    }

    private static void Family(StringBuilder text, string name, string type, string help, params (string? Labels, double Value)[] samples)
    {
        text.Append("# HELP ").Append(Prefix).Append(name).Append(' ').Append(EscapeHelp(help)).Append('\n');
        text.Append("# TYPE ").Append(Prefix).Append(name).Append(' ').Append(type).Append('\n');
        foreach (var (labels, value) in samples)
        {
            text.Append(Prefix).Append(name).Append(labels).Append(' ').Append(Number(value)).Append('\n');
        }
    }

    private static string Labels(params (string Name, string Value)[] labels) =>
        "{" + string.Join(',', labels.Select(l => $"{l.Name}=\"{EscapeLabel(l.Value)}\"")) + "}";

    /// <summary>Label values escape backslash, double quote and line feed.</summary>
    internal static string EscapeLabel(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>HELP text escapes backslash and line feed only.</summary>
    internal static string EscapeHelp(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>Byte counts are exact below 2^53 (8 PiB), which no billing period reaches; integers print without an exponent.</summary>
    internal static string Number(double value) =>
        double.IsFinite(value) && value == Math.Floor(value) && Math.Abs(value) < 1e15
            ? ((long)value).ToString(CultureInfo.InvariantCulture)
            : value.ToString("R", CultureInfo.InvariantCulture);

    private static double Seconds(DateTimeOffset at) => at.ToUnixTimeMilliseconds() / 1000d;
}
