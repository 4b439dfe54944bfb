namespace TrafficMonitor.Configuration;

public enum WebhookFormat
{
    /// <summary>Our own payload, documented in docs/notifications.md.</summary>
    Json,
    Discord,
    Slack,
    Ntfy,
}

/// <summary>One item of the <c>webhooks</c> list.</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "webhooks";
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan MaxTimeout = EmailOptions.MaxTimeout;

    /// <summary>The full URL; it often embeds a token, so it is only ever shown as <see cref="DisplayUrl"/>.</summary>
    public required Secret Url { get; init; }

    public WebhookFormat Format { get; init; } = WebhookFormat.Json;

    /// <summary>Extra request headers; values are secrets (they usually carry tokens).</summary>
    public IReadOnlyDictionary<string, Secret> Headers { get; init; } = new Dictionary<string, Secret>();

    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>Scheme, host and port only: safe for logs, errors and check-config.</summary>
    public string DisplayUrl => UrlMask.Mask(Url.Reveal());
}
