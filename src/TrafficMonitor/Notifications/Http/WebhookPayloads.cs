using System.Globalization;
using System.Text;
using System.Text.Json;
using TrafficMonitor.Configuration;

namespace TrafficMonitor.Notifications.Http;

/// <summary>
/// The request body of each webhook format. <c>json</c> is ours (docs/notifications.md); the others follow each
/// service's documented incoming-message format. Written with <see cref="Utf8JsonWriter"/>: no reflection.
/// </summary>
public static class WebhookPayloads
{
    public const int DiscordContentLimit = 2000;
    public const int SlackTextLimit = 3000;
    public const int TelegramTextLimit = 4096;

    public static string Json(Notification n) => Write(writer =>
    {
        writer.WriteString("event", n.EventName);
        writer.WriteString("id", n.Id);
        writer.WriteString("host", n.HostName);
        writer.WriteString("time", Iso8601.Time(n.CreatedAt));
        writer.WriteBoolean("dry_run", n.DryRun);
        writer.WriteString("subject", n.Subject);
        writer.WriteString("message", n.Body);
        WriteNumberOrNull(writer, "stage_bytes", n.StageBytes);
        var s = n.Snapshot;
        WriteNumberOrNull(writer, "used_bytes", s?.UsedBytes);
        WriteNumberOrNull(writer, "rx_bytes", s?.RxBytes);
        WriteNumberOrNull(writer, "tx_bytes", s?.TxBytes);
        WriteNumberOrNull(writer, "limit_bytes", s?.LimitBytes);
        WriteNumberOrNull(writer, "critical_bytes", s?.CriticalBytes);
        WriteNumberOrNull(writer, "next_stage_bytes", s?.NextStageBytes);
        if (s is null)
        {
            writer.WriteNull("percent");
            writer.WriteNull("period_start");
            writer.WriteNull("period_end");
        }
        else
        {
            writer.WriteNumber("percent", s.Percent);
            writer.WriteString("period_start", s.Period.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            writer.WriteString("period_end", s.Period.LastDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }
    });

    /// <summary>Discord's execute-webhook body; mentions are disabled so a host name can never ping anyone.</summary>
    public static string Discord(Notification n) => Write(writer =>
    {
        writer.WriteString("username", "traffic-monitor");
        writer.WriteString("content", Truncate($"**{n.Subject}**\n{n.Body}", DiscordContentLimit));
        writer.WriteStartObject("allowed_mentions");
        writer.WriteStartArray("parse");
        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    /// <summary>Slack's incoming-webhook body.</summary>
    public static string Slack(Notification n) => Write(writer =>
        writer.WriteString("text", Truncate($"*{n.Subject}*\n{n.Body}", SlackTextLimit)));

    /// <summary>Telegram's sendMessage body, plain text (no parse_mode, so nothing needs escaping).</summary>
    public static string Telegram(Notification n, string chatId) => Write(writer =>
    {
        writer.WriteString("chat_id", chatId);
        writer.WriteString("text", Truncate($"{n.Subject}\n\n{n.Body}", TelegramTextLimit));
        writer.WriteBoolean("disable_web_page_preview", true);
    });

    /// <summary>ntfy takes the message as the plain-text body and the rest as headers.</summary>
    public static (string Body, IReadOnlyList<KeyValuePair<string, string>> Headers) Ntfy(Notification n)
    {
        var kind = n.Kind.Describe();
        return (n.Body, [new("Title", n.Subject), new("Priority", kind.Priority.ToString(CultureInfo.InvariantCulture)), new("Tags", kind.Tag)]);
    }

    private static string Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteNumberOrNull(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static string Truncate(string text, int limit) => text.Length <= limit ? text : string.Concat(text.AsSpan(0, limit - 1), "…");
}
