using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using TrafficMonitor.Configuration;

namespace TrafficMonitor.Notifications.Http;

/// <summary>POSTs each notification to a webhook in its <c>format</c>, with an Idempotency-Key stable per notification.</summary>
public sealed class WebhookChannel(WebhookOptions options, HttpClient client, TimeProvider timeProvider) : INotificationChannel
{
    public const string IdempotencyHeader = "Idempotency-Key";

    // A server may echo the path back (where tokens live), not only the whole URL.
    private readonly string[] _secrets =
        [options.Url.Reveal(), new Uri(options.Url.Reveal()).PathAndQuery.TrimEnd('/'), .. options.Headers.Values.Select(v => v.Reveal())];

    private string? _id;

    /// <summary>
    /// Derived from the URL, so reordering the list keeps every webhook's outbox history. Computed on first use, not
    /// at start-up: SHA-256 loads OpenSSL, which an idle daemon would otherwise keep resident (3.5 MiB) for nothing.
    /// </summary>
    public string Id => _id ??= "webhook-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(options.Url.Reveal())))[..12];

    public string Name => $"webhook {options.Format.ToString().ToLowerInvariant()} ({options.DisplayUrl})";

    public TimeSpan Timeout => options.Timeout;

    public async Task SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, options.Url.Reveal());
        if (options.Format == WebhookFormat.Ntfy)
        {
            var (body, headers) = WebhookPayloads.Ntfy(notification);
            request.Content = new StringContent(body, Encoding.UTF8, "text/plain");
            foreach (var (name, value) in headers)
            {
                // HTTP headers are ASCII; ntfy decodes RFC 2047 encoded words for anything else.
                request.Headers.TryAddWithoutValidation(name, Ascii(value));
            }
        }
        else
        {
            var json = options.Format switch
            {
                WebhookFormat.Discord => WebhookPayloads.Discord(notification),
                WebhookFormat.Slack => WebhookPayloads.Slack(notification),
                _ => WebhookPayloads.Json(notification),
            };
            request.Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        }

        request.Headers.TryAddWithoutValidation(IdempotencyHeader, $"{notification.Id}.{Id}");
        foreach (var (name, value) in options.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value.Reveal()))
            {
                request.Content.Headers.Remove(name);
                request.Content.Headers.TryAddWithoutValidation(name, value.Reveal());
            }
        }

        await HttpDelivery.SendAsync(client, request, _secrets, timeProvider, cancellationToken).ConfigureAwait(false);
    }

    private static string Ascii(string value) =>
        value.All(char.IsAscii) ? value : $"=?UTF-8?B?{Convert.ToBase64String(Encoding.UTF8.GetBytes(value))}?=";
}
