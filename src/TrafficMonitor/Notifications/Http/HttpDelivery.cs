using System.Globalization;
using System.Net;
using System.Text.Json;

namespace TrafficMonitor.Notifications.Http;

/// <summary>
/// Sends one HTTP request for a channel and turns the answer into the outbox's terms: 2xx delivered; 429 retried
/// after the server's Retry-After; other 4xx rejected (a configuration problem); 5xx and network errors retried.
/// Messages have the channel's secrets scrubbed out; the dispatcher names the channel.
/// </summary>
internal static class HttpDelivery
{
    private const int BodyExcerpt = 200;

    public static async Task SendAsync(
        HttpClient client, HttpRequestMessage request, IReadOnlyList<string> secrets, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new DeliveryException(Scrub(e.Message, secrets), rejected: false);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            var body = await ReadExcerptAsync(response, cancellationToken).ConfigureAwait(false);
            var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
            var detail = body.Length > 0 ? $": {Scrub(body, secrets)}" : string.Empty;
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var wait = RetryAfter(response, body, timeProvider);
                throw new DeliveryException($"answered {status} (rate limited); retrying after {wait.TotalSeconds:0}s", rejected: false, retryAfter: wait);
            }

            var code = (int)response.StatusCode;
            if (code is >= 400 and < 500)
            {
                throw new DeliveryException($"answered {status}{detail}", rejected: true);
            }

            throw new DeliveryException($"answered {status}{detail}", rejected: false);
        }
    }

    /// <summary>Retry-After as seconds or an HTTP date; Telegram puts it in the JSON body too. A minute when absent.</summary>
    private static TimeSpan RetryAfter(HttpResponseMessage response, string body, TimeProvider timeProvider)
    {
        if (response.Headers.RetryAfter is { } header)
        {
            if (header.Delta is { } delta)
            {
                return delta;
            }

            if (header.Date is { } date)
            {
                var wait = date - timeProvider.GetUtcNow();
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("parameters", out var parameters) &&
                parameters.TryGetProperty("retry_after", out var seconds) && seconds.TryGetInt32(out var value))
            {
                return TimeSpan.FromSeconds(value);
            }
        }
        catch (JsonException)
        {
        }

        return TimeSpan.FromMinutes(1);
    }

    private static async Task<string> ReadExcerptAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = (await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).Trim();
        text = text.ReplaceLineEndings(" ");
        return text.Length > BodyExcerpt ? string.Create(CultureInfo.InvariantCulture, $"{text[..BodyExcerpt]}…") : text;
    }

    /// <summary>Removes secrets a server might echo back (or an exception might contain).</summary>
    public static string Scrub(string text, IReadOnlyList<string> secrets)
    {
        foreach (var secret in secrets.Where(s => s.Length >= 4))
        {
            text = text.Replace(secret, Configuration.Secret.Mask, StringComparison.Ordinal);
        }

        return text;
    }
}
