using System.Globalization;
using System.Text;
using TrafficMonitor.Enforcement;

namespace TrafficMonitor.Configuration;

/// <summary>Prints the effective settings (defaults filled in) as YAML-like text, with every secret masked.</summary>
public static class SettingsPrinter
{
    public static string Format(TrafficMonitorSettings settings)
    {
        var t = settings.Thresholds;
        var text = new StringBuilder();
        text.AppendLine("thresholds:");
        Line(text, 1, "total_limit", Size(t.TotalLimit));
        Line(text, 1, "interval", Size(t.Interval));
        Line(text, 1, "critical_percentage", $"{t.CriticalPercentage.ToString(CultureInfo.InvariantCulture)}   # critical point: {ByteSize.Format(t.CriticalBytes, t.Units)}");
        if (settings.Email is { } e)
        {
            text.AppendLine("email:");
            Line(text, 1, "smtp_server", e.SmtpServer);
            Line(text, 1, "smtp_port", e.SmtpPort.ToString(CultureInfo.InvariantCulture));
            Line(text, 1, "security", e.Security.ToString().ToLowerInvariant());
            Line(text, 1, "username", e.Username ?? "(none: no AUTH)");
            Line(text, 1, "password", e.Password is null ? "(none)" : e.Password.ToString());
            Line(text, 1, "sender", e.Sender);
            Line(text, 1, "recipients", $"[{string.Join(", ", e.Recipients)}]");
            Line(text, 1, "timeout", DurationParser.Format(e.Timeout));
            Line(text, 1, "ca_file", e.CaFile ?? "(none: the system's trusted CAs)");
        }
        else
        {
            text.AppendLine("email: (none)");
        }

        if (settings.Webhooks.Count > 0)
        {
            text.AppendLine("webhooks:");
            foreach (var w in settings.Webhooks)
            {
                text.Append("  - url: ").AppendLine(w.DisplayUrl);
                Line(text, 2, "format", w.Format.ToString().ToLowerInvariant());
                Line(text, 2, "headers", w.Headers.Count == 0 ? "(none)" : $"{{{string.Join(", ", w.Headers.Select(h => $"{h.Key}: {h.Value}"))}}}");
                Line(text, 2, "timeout", DurationParser.Format(w.Timeout));
            }
        }
        else
        {
            text.AppendLine("webhooks: (none)");
        }

        if (settings.Telegram is { } tg)
        {
            text.AppendLine("telegram:");
            Line(text, 1, "bot_token", tg.BotToken.ToString());
            Line(text, 1, "chat_id", tg.ChatId);
            Line(text, 1, "api_url", tg.ApiUrl.ToString());
            Line(text, 1, "timeout", DurationParser.Format(tg.Timeout));
        }
        else
        {
            text.AppendLine("telegram: (none)");
        }

        var n = settings.Notifications;
        text.AppendLine("notifications:");
        Line(text, 1, "expire", DurationParser.Format(n.Expire));
        Line(text, 1, "degraded_after", $"{n.DegradedAfter.ToString(CultureInfo.InvariantCulture)}   # failed checks in a row");
        Line(text, 1, "daily_report", n.DailyReport is { } at ? at.ToString("HH:mm", CultureInfo.InvariantCulture) : "(none)");

        var m = settings.Monitor;
        text.AppendLine("monitor:");
        Line(text, 1, "provider", m.Provider);
        Line(text, 1, "interfaces", m.Interfaces.Count == 0 ? "(every physical interface, summed)" : $"[{string.Join(", ", m.Interfaces)}]");
        Line(text, 1, "count", m.Count.ToString().ToLowerInvariant());
        Line(text, 1, "check_interval", DurationParser.Format(m.CheckInterval));
        Line(text, 1, "reset_day", m.ResetDay.ToString(CultureInfo.InvariantCulture));
        Line(text, 1, "state_dir", m.StateDir);
        Line(text, 1, "checkpoint_interval", DurationParser.Format(m.CheckpointInterval));
        Line(text, 1, "fast_checks", m.FastChecks ? "true   # sooner near a threshold, down to 100 ms" : "false");
        Line(text, 1, "adjust_percent", m.AdjustPercent.ToString(CultureInfo.InvariantCulture));
        var v = settings.VnStat;
        text.AppendLine("vnstat:");
        Line(text, 1, "command", v.Command);
        Line(text, 1, "dbdir", v.DbDir ?? "(vnStat's default)");
        Line(text, 1, "config", v.Config ?? "(vnStat's default)");
        var s = settings.Shutdown;
        text.AppendLine("actions:");
        text.AppendLine("  shutdown:");
        Line(text, 2, "enabled", s.Enabled ? "true" : "false");
        Line(text, 2, "delay", DurationParser.Format(s.Delay));
        Line(text, 2, "command", s.Command.Count > 0
            ? $"[{string.Join(", ", s.Command)}]"
            : $"(the OS's: {string.Join(' ', ShutdownStep.OperatingSystemCommand(s.Delay))})");
        Line(text, 2, "boot_grace", DurationParser.Format(s.BootGrace));
        return text.ToString();
    }

    private static string Size(ByteSize size) =>
        $"{size}   # {size.Bytes.ToString(CultureInfo.InvariantCulture)} bytes";

    private static void Line(StringBuilder text, int depth, string key, string value) =>
        text.Append(' ', depth * 2).Append(key).Append(": ").AppendLine(value);
}
