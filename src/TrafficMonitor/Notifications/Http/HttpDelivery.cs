using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using TrafficMonitor.Configuration;

namespace TrafficMonitor.Notifications.Http;

/// <summary>
/// Sends one HTTP request for a channel and turns the answer into the outbox's terms: 2xx delivered; 429 retried
/// after the server's Retry-After; other 4xx rejected (a configuration problem); 5xx and network errors retried.
/// A redirect is never followed (it would carry the channel's headers or token URL elsewhere): a permanent one
/// (301, 308) is rejected, a temporary one retried, and both name only the origin they point to. Credentials in the
/// URL (<c>https://user:pass@host/</c>) are sent as HTTP Basic authentication, never dropped.
/// Messages have the channel's secrets scrubbed out; the dispatcher names the channel.
/// </summary>
internal static class HttpDelivery
{
    private const int BodyExcerpt = 200;

    public static async Task SendAsync(
        HttpClient client, HttpRequestMessage request, IReadOnlyList<string> secrets, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        secrets = UseUrlCredentials(request, secrets);
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

            var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
            var code = (int)response.StatusCode;
            if (code is >= 300 and < 400)
            {
                throw Redirected(request.RequestUri!, response, status, secrets);
            }

            var body = await ReadExcerptAsync(response, cancellationToken).ConfigureAwait(false);
            var detail = body.Length > 0 ? $": {Scrub(body, secrets)}" : string.Empty;
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var wait = RetryAfter(response, body, timeProvider);
                throw new DeliveryException($"answered {status} (rate limited); retrying after {DurationParser.Format(wait)}", rejected: false, retryAfter: wait);
            }

            if (code is >= 400 and < 500)
            {
                throw new DeliveryException($"answered {status}{detail}", rejected: true);
            }

            throw new DeliveryException($"answered {status}{detail}", rejected: false);
        }
    }

    /// <summary>
    /// Moves <c>user:pass@</c> from the URL into an Authorization header (HttpClient would silently drop it), and
    /// returns the secrets to scrub, now including the credentials in every form a server might echo.
    /// </summary>
    private static IReadOnlyList<string> UseUrlCredentials(HttpRequestMessage request, IReadOnlyList<string> secrets)
    {
        if (request.RequestUri is not { UserInfo.Length: > 0 } uri)
        {
            return secrets;
        }

        var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
        var user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
        var password = colon < 0 ? string.Empty : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
        request.RequestUri = new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty }.Uri;
        return [.. secrets, uri.UserInfo, user, password, basic];
    }

    private static DeliveryException Redirected(Uri from, HttpResponseMessage response, string status, IReadOnlyList<string> secrets)
    {
        // 301 and 308 say the address moved for good: retrying cannot help until the settings change.
        var permanent = response.StatusCode is HttpStatusCode.MovedPermanently or HttpStatusCode.PermanentRedirect;
        if (response.Headers.Location is not { } location)
        {
            return new DeliveryException($"answered {status} without saying where to; redirects are not followed", rejected: permanent);
        }

        var target = location.IsAbsoluteUri ? location : new Uri(from, location);
        var sameOrigin = Uri.Compare(from, target, UriComponents.SchemeAndServer, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) == 0;
        var where = sameOrigin
            ? $"to another path on the same server ({UrlMask.Mask(target)})"
            : $"to another origin, {UrlMask.Mask(target)}";
        var message = $"answered {status} {where}: redirects are not followed, so the channel's headers and token never go " +
            "anywhere but the configured address; if the new address is right, put it in the settings";
        return new DeliveryException(Scrub(message, secrets), rejected: permanent);
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
