using System.Text;
using TrafficMonitor.Configuration.Yaml;
using static TrafficMonitor.Configuration.Sections.SettingsText;

namespace TrafficMonitor.Configuration.Sections;

/// <summary>The optional <c>webhooks</c> list. URLs and header values often carry tokens, so no message repeats them.</summary>
internal static class WebhooksSection
{
    private static readonly Dictionary<string, WebhookFormat> Formats = new(StringComparer.OrdinalIgnoreCase)
    {
        ["json"] = WebhookFormat.Json,
        ["discord"] = WebhookFormat.Discord,
        ["slack"] = WebhookFormat.Slack,
        ["ntfy"] = WebhookFormat.Ntfy,
    };

    /// <returns>The valid items; an invalid one is left out (the problems say why).</returns>
    public static List<WebhookOptions> Read(SectionReader top)
    {
        var items = top.SectionList(WebhookOptions.SectionName) ?? [];
        var webhooks = new List<WebhookOptions>();
        foreach (var item in items)
        {
            if (ReadItem(item) is { } webhook)
            {
                webhooks.Add(webhook);
            }
        }

        return webhooks;
    }

    public static void Print(IReadOnlyList<WebhookOptions> webhooks, StringBuilder text)
    {
        if (webhooks.Count == 0)
        {
            text.AppendLine("webhooks: (none)");
            return;
        }

        text.AppendLine("webhooks:");
        foreach (var w in webhooks)
        {
            text.Append("  - url: ").AppendLine(w.DisplayUrl);
            Line(text, 2, "format", w.Format.ToString().ToLowerInvariant());
            Line(text, 2, "headers", w.Headers.Count == 0 ? "(none)" : $"{{{string.Join(", ", w.Headers.Select(h => $"{h.Key}: {h.Value}"))}}}");
            Line(text, 2, "timeout", DurationParser.Format(w.Timeout));
        }
    }

    public static IEnumerable<string> Warnings(IReadOnlyList<WebhookOptions> webhooks)
    {
        for (var i = 0; i < webhooks.Count; i++)
        {
            if (Uri.TryCreate(webhooks[i].Url.Reveal(), UriKind.Absolute, out var uri) && Placeholder.IsHost(uri.Host))
            {
                yield return $"webhooks[{i}].url: {webhooks[i].DisplayUrl} is a placeholder, so alerts cannot be delivered: set your webhook's address";
            }
        }
    }

    private static WebhookOptions? ReadItem(SectionReader item)
    {
        var url = item.Secret("url", "url_file", null)?.Reveal();
        var format = item.Choice("format", Formats);
        var headers = item.StringMap("headers");
        var timeout = item.Duration("timeout", WebhookOptions.MaxTimeout);
        item.ReportUnknownKeys();
        if (!item.Exists)
        {
            return null;
        }

        var ok = true;
        if (string.IsNullOrWhiteSpace(url))
        {
            // A url_file that could not be read was reported by Secret already.
            if (!item.Has("url_file"))
            {
                item.Require("url", "the webhook's address, e.g. https://hooks.example.com/... (or url_file: a file holding it)");
            }

            ok = false;
        }
        else
        {
            ok &= item.HttpUrl(item.Has("url_file") ? "url_file" : "url", url, "is not an http:// or https:// address", out var uri);
            if (uri is { UserInfo.Length: > 0 } && headers is not null && headers.Any(h => h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase)))
            {
                // Credentials in the URL are sent as the Authorization header: two would leave one silently unused.
                item.Problem("headers", "has Authorization, and the url holds credentials (user:password@) that are sent as Authorization too: keep only one");
                ok = false;
            }
        }

        ok &= item.Positive("timeout", timeout);
        return ok
            ? new WebhookOptions
            {
                Url = new Secret(url!.Trim()),
                Format = format ?? WebhookFormat.Json,
                Headers = (headers ?? []).ToDictionary(h => h.Key, h => new Secret(h.Value), StringComparer.OrdinalIgnoreCase),
                Timeout = timeout ?? WebhookOptions.DefaultTimeout,
            }
            : null;
    }
}
