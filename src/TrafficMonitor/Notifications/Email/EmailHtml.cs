using System.Globalization;
using System.Net;
using System.Text;
using TrafficMonitor.Quota;

namespace TrafficMonitor.Notifications.Email;

/// <summary>
/// The HTML part: the message text, plus a usage bar with a tick at every stage and a red line at the critical point.
/// Inline styles only, as mail clients drop style sheets.
/// </summary>
public static class EmailHtml
{
    public static string Render(Notification notification)
    {
        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html><body style=\"font-family:sans-serif;font-size:14px;color:#222\">")
            .Append(CultureInfo.InvariantCulture, $"<h2 style=\"font-size:16px\">{WebUtility.HtmlEncode(notification.Subject)}</h2>");
        if (notification.Snapshot is { } snapshot)
        {
            html.Append(UsageBar(snapshot));
        }

        html.Append("<pre style=\"font-family:monospace;white-space:pre-wrap\">")
            .Append(WebUtility.HtmlEncode(notification.Body))
            .Append("</pre></body></html>");
        return html.ToString();
    }

    /// <summary>A 100%-wide bar: filled to the usage, a tick per stage, a red mark at the critical point.</summary>
    public static string UsageBar(QuotaSnapshot s)
    {
        var used = Math.Clamp(Position(s.UsedBytes, s.LimitBytes), 0m, 100m);
        var critical = Position(s.CriticalBytes, s.LimitBytes);
        var fill = s.UsedBytes >= s.CriticalBytes ? "#c0392b" : used >= critical * 0.8m ? "#e67e22" : "#27ae60";
        var bar = new StringBuilder()
            .Append("<div role=\"img\" aria-label=\"")
            .Append(CultureInfo.InvariantCulture, $"{MessageComposer.Size(s.UsedBytes, s)} of {MessageComposer.Size(s.LimitBytes, s)} used")
            .Append("\" style=\"position:relative;width:100%;max-width:600px;height:22px;background:#eee;border:1px solid #999;margin:8px 0 4px\">")
            .Append(CultureInfo.InvariantCulture, $"<div class=\"used\" style=\"position:absolute;left:0;top:0;bottom:0;width:{Css(used)}%;background:{fill}\"></div>");
        if (s.IntervalBytes > 0)
        {
            for (var stage = s.IntervalBytes; stage < s.LimitBytes; stage += s.IntervalBytes)
            {
                bar.Append(CultureInfo.InvariantCulture,
                    $"<div class=\"stage\" title=\"{MessageComposer.Size(stage, s)}\" style=\"position:absolute;top:0;bottom:0;left:{Css(Position(stage, s.LimitBytes))}%;border-left:1px solid #555\"></div>");
            }
        }

        bar.Append(CultureInfo.InvariantCulture,
                $"<div class=\"critical\" title=\"critical point {MessageComposer.Size(s.CriticalBytes, s)}\" style=\"position:absolute;top:-4px;bottom:-4px;left:{Css(critical)}%;border-left:3px solid #c0392b\"></div>")
            .Append("</div>")
            .Append(CultureInfo.InvariantCulture,
                $"<div style=\"font-size:12px;color:#555\">{MessageComposer.Size(s.UsedBytes, s)} used ({MessageComposer.Percent(s)}); ticks: alert stages; red line: critical point ({MessageComposer.Size(s.CriticalBytes, s)})</div>");
        return bar.ToString();
    }

    private static decimal Position(long bytes, long limit) => limit <= 0 ? 0 : Math.Round(bytes * 100m / limit, 2);

    private static string Css(decimal percent) => percent.ToString("0.##", CultureInfo.InvariantCulture);
}
