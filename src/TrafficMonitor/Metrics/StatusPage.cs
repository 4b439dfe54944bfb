using System.Globalization;
using System.Net;
using System.Text;
using TrafficMonitor.Configuration;
using TrafficMonitor.Quota;

namespace TrafficMonitor.Metrics;

/// <summary>
/// The status page at <c>/</c>: the period's usage bar with every stage, the critical point and the forecast marked,
/// the numbers behind it (exact bytes, as <c>status --json</c> gives them), the enforcement steps and the channels.
/// One self-contained HTML document, no script, no external asset; it reloads itself.
/// </summary>
public static class StatusPage
{
    public const string ContentType = "text/html; charset=utf-8";
    public const int RefreshSeconds = 30;

    /// <summary>More stage marks than this would be a grey smear: only the critical point and the forecast are drawn then.</summary>
    private const int MaxStageMarks = 100;

    public static string Write(MetricsView view)
    {
        var s = view.Snapshot;
        var html = new StringBuilder(8192);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append(CultureInfo.InvariantCulture, $"<meta http-equiv=\"refresh\" content=\"{RefreshSeconds}\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>traffic-monitor").Append(s is null ? string.Empty : " – " + E(s.HostName)).Append("</title>")
            .Append("<style>").Append(Style).Append("</style></head><body>\n");
        html.Append("<h1>traffic-monitor").Append(s is null ? string.Empty : $" <span class=\"host\">{E(s.HostName)}</span>").Append("</h1>\n");
        if (view.UsageFailuresInARow > 0)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<p class=\"alert\" id=\"degraded\">The last {view.UsageFailuresInARow} check(s) could not read usage: the numbers below are from the last one that could.</p>\n");
        }

        if (s is null)
        {
            html.Append("<p id=\"no-check\">No check has read usage yet. This page shows the numbers once one has.</p>\n");
        }
        else
        {
            Usage(html, view, s);
            Steps(html, s);
            Interfaces(html, s);
        }

        Channels(html, view);
        html.Append("<footer>").Append(CultureInfo.InvariantCulture, $"traffic-monitor {E(view.Version)} · this page reloads every {RefreshSeconds} s · ")
            .Append("<a href=\"/metrics\">/metrics</a></footer>\n</body></html>\n");
        return html.ToString();
    }

    private static void Usage(StringBuilder html, MetricsView view, QuotaSnapshot s)
    {
        var percent = s.Percent.ToString("0.##", CultureInfo.InvariantCulture);
        html.Append(CultureInfo.InvariantCulture,
            $"<p class=\"headline\"><span id=\"used\">{E(Size(s.UsedBytes, s))}</span> of <span id=\"limit\">{E(Size(s.LimitBytes, s))}</span> " +
            $"(<span id=\"percent\">{percent}</span> %) in the period <span id=\"period\">{s.Period.Start:yyyy-MM-dd} to {s.Period.LastDay:yyyy-MM-dd}</span></p>\n");
        Bar(html, view, s);

        html.Append("<table class=\"numbers\"><tbody>\n");
        Row(html, "counted-bytes", "Counted (" + s.CountMode.ToString().ToLowerInvariant() + ")", s.UsedBytes, s);
        Row(html, "rx-bytes", "Received", s.RxBytes, s);
        Row(html, "tx-bytes", "Transmitted", s.TxBytes, s);
        Row(html, "limit-bytes", "Limit", s.LimitBytes, s);
        Row(html, "critical-bytes", "Critical point", s.CriticalBytes, s);
        if (s.NextStageBytes is { } next)
        {
            Row(html, "next-stage-bytes", "Next alert stage", next, s);
        }

        if (view.ForecastBytes is { } forecast)
        {
            Row(html, "forecast-bytes", "Forecast at period end (linear)", forecast, s);
        }

        html.Append("</tbody></table>\n");
        if (view.ForecastBytes is { } f)
        {
            var verdict = f >= s.CriticalBytes
                ? "<p class=\"alert\" id=\"forecast-verdict\">At this rate the critical point is reached before the period ends.</p>"
                : "<p id=\"forecast-verdict\">At this rate the period ends below the critical point.</p>";
            html.Append(verdict).Append('\n');
        }

        html.Append("<p class=\"small\">Period ").Append(Iso8601.Time(view.PeriodStartsAt!.Value)).Append(" to ").Append(Iso8601.Time(view.PeriodEndsAt!.Value));
        if (view.CheckedAt is { } at)
        {
            html.Append(" · last check <span id=\"last-check\">").Append(Iso8601.Time(at)).Append("</span>");
        }

        html.Append("</p>\n");
    }

    /// <summary>The bar spans whichever is largest of the limit, the usage and the forecast, so nothing falls off its end.</summary>
    private static void Bar(StringBuilder html, MetricsView view, QuotaSnapshot s)
    {
        var span = Math.Max(s.LimitBytes, Math.Max(s.UsedBytes, view.ForecastBytes ?? 0));
        if (span <= 0)
        {
            return;
        }

        string At(long bytes) => (100.0 * bytes / span).ToString("0.###", CultureInfo.InvariantCulture) + "%";
        var state = s.UsedBytes >= s.CriticalBytes ? "over" : s.NextStageBytes is null || s.Progress?.StagesNotified.Count > 0 ? "warn" : "ok";
        html.Append("<div class=\"bar\" role=\"img\" aria-label=\"").Append(E($"{Size(s.UsedBytes, s)} used of {Size(s.LimitBytes, s)}")).Append("\">");
        html.Append(CultureInfo.InvariantCulture, $"<div class=\"used {state}\" style=\"width:{At(Math.Min(s.UsedBytes, span))}\"></div>");
        if (s.IntervalBytes > 0 && s.LimitBytes / s.IntervalBytes <= MaxStageMarks)
        {
            var notified = s.Progress?.StagesNotified ?? [];
            for (var stage = s.IntervalBytes; stage <= s.LimitBytes; stage += s.IntervalBytes)
            {
                var cls = notified.Contains(stage) ? "stage notified" : "stage";
                html.Append(CultureInfo.InvariantCulture, $"<div class=\"{cls}\" style=\"left:{At(stage)}\" title=\"{E(Size(stage, s))}\"></div>");
            }
        }

        html.Append(CultureInfo.InvariantCulture, $"<div class=\"critical\" id=\"critical-mark\" style=\"left:{At(s.CriticalBytes)}\" title=\"critical point {E(Size(s.CriticalBytes, s))}\"></div>");
        if (view.ForecastBytes is { } forecast)
        {
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"forecast\" style=\"left:{At(forecast)}\" title=\"forecast {E(Size(forecast, s))}\"></div>");
        }

        html.Append(CultureInfo.InvariantCulture, $"</div>\n<p class=\"legend small\"><span class=\"key used {state}\"></span> used · <span class=\"key stage-key\"></span> alert stages · ")
            .Append("<span class=\"key critical-key\"></span> critical point").Append(view.ForecastBytes is null ? string.Empty : " · <span class=\"key forecast-key\"></span> forecast")
            .Append("</p>\n");
    }

    private static void Steps(StringBuilder html, QuotaSnapshot s)
    {
        var steps = s.Progress?.Steps ?? [];
        if (steps.Count == 0)
        {
            return;
        }

        html.Append("<h2>Enforcement steps</h2>\n<table id=\"steps\"><thead><tr><th>step</th><th>enabled</th><th>this period</th><th>runs</th><th>failures</th><th>command</th></tr></thead><tbody>\n");
        foreach (var step in steps)
        {
            var ran = step.LastRunAt is { } at ? "ran " + Iso8601.Time(at) : "not run";
            html.Append(CultureInfo.InvariantCulture,
                $"<tr data-step=\"{E(step.Id)}\"><td>{E(step.Id)}</td><td>{(step.Enabled ? "yes" : "no")}</td><td>{E(ran)}</td><td>{step.Runs}</td><td>{step.Failures}</td><td><code>{E(string.Join(' ', step.Command))}</code></td></tr>\n");
        }

        html.Append("</tbody></table>\n");
    }

    private static void Interfaces(StringBuilder html, QuotaSnapshot s)
    {
        if (s.Reading is not { Interfaces.Count: > 0 } reading)
        {
            return;
        }

        html.Append("<h2>Interfaces</h2>\n<table id=\"interfaces\"><thead><tr><th>interface</th><th>received</th><th>transmitted</th></tr></thead><tbody>\n");
        foreach (var i in reading.Interfaces)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{E(i.Name)}</td><td data-bytes=\"{i.Rx}\">{E(Size(i.Rx, s))}</td><td data-bytes=\"{i.Tx}\">{E(Size(i.Tx, s))}</td></tr>\n");
        }

        html.Append("</tbody></table>\n<p class=\"small\">From ").Append(E(reading.Source)).Append(", before any calibration.</p>\n");
    }

    private static void Channels(StringBuilder html, MetricsView view)
    {
        if (view.Channels.Count == 0)
        {
            return;
        }

        html.Append("<h2>Notifications</h2>\n<table id=\"channels\"><thead><tr><th>channel</th><th>sent</th><th>failed</th><th>pending</th></tr></thead><tbody>\n");
        foreach (var c in view.Channels)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(c.Name)}</td><td>{c.Sent}</td><td>{c.Failed}</td><td>{c.Pending}</td></tr>\n");
        }

        html.Append("</tbody></table>\n<p class=\"small\">Sent and failed since the monitor started.</p>\n");
    }

    private static void Row(StringBuilder html, string id, string label, long bytes, QuotaSnapshot s) =>
        html.Append(CultureInfo.InvariantCulture,
            $"<tr><th>{E(label)}</th><td>{E(Size(bytes, s))}</td><td class=\"bytes\" id=\"{id}\">{bytes}</td></tr>\n");

    private static string Size(long bytes, QuotaSnapshot s) => ByteSize.Format(bytes, s.Units);

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private const string Style =
        "body{font:15px/1.4 system-ui,sans-serif;margin:2em auto;max-width:52em;padding:0 1em;color:#222;background:#fff}" +
        "h1{font-size:1.4em}h1 .host{color:#666;font-weight:normal}h2{font-size:1.1em;margin-top:1.6em}" +
        ".headline{font-size:1.2em}.small,footer{color:#666;font-size:.85em}footer{margin-top:2em}" +
        ".alert{color:#a00;font-weight:bold}" +
        ".bar{position:relative;height:2em;background:#eee;border:1px solid #bbb;border-radius:3px;overflow:hidden}" +
        ".bar .used{position:absolute;left:0;top:0;bottom:0}.used.ok{background:#4a9d4a}.used.warn{background:#d9a400}.used.over{background:#c62828}" +
        ".bar .stage{position:absolute;top:0;bottom:0;width:1px;background:#888}.bar .stage.notified{background:#333}" +
        ".bar .critical{position:absolute;top:0;bottom:0;width:3px;margin-left:-1px;background:#c62828}" +
        ".bar .forecast{position:absolute;top:0;bottom:0;width:0;border-left:2px dashed #1565c0}" +
        ".key{display:inline-block;width:1em;height:.8em;vertical-align:middle}.stage-key{background:#888;width:2px}" +
        ".critical-key{background:#c62828;width:3px}.forecast-key{border-left:2px dashed #1565c0;width:0}" +
        "table{border-collapse:collapse;margin-top:.8em}th,td{text-align:left;padding:.2em .8em .2em 0;border-bottom:1px solid #eee}" +
        "td.bytes,td[data-bytes]{font-variant-numeric:tabular-nums}td.bytes{color:#666;font-size:.85em}";
}
