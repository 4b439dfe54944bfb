using System.Globalization;
using System.Net;
using System.Text.Json;

namespace TrafficMonitor.Usage.ProviderApi;

/// <summary>
/// One GET to a provider's API, bounded by a timeout, with each way it can fail turned into a
/// <see cref="ProviderApiException"/> that names what to do and never the address's secrets.
/// </summary>
public static class ProviderHttp
{
    /// <summary>Answers larger than this are not a server record: refused rather than read into memory.</summary>
    public const int MaxAnswerBytes = 1024 * 1024;

    /// <summary>
    /// A client that follows no redirect (a redirected request would carry the token wherever the server points),
    /// sends no cookies and no ambient credentials. Each request is bounded by the section's timeout.
    /// </summary>
    public static HttpClient CreateClient()
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            Credentials = null,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan, MaxResponseContentBufferSize = MaxAnswerBytes };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("traffic-monitor");
        return client;
    }

    /// <param name="endpoint">The address as it may be shown (secrets masked), for messages.</param>
    /// <param name="parse">Reads the answer; a <see cref="JsonException"/>, <see cref="FormatException"/> or <see cref="KeyNotFoundException"/> means a malformed answer.</param>
    public static async Task<T> GetAsync<T>(
        HttpClient client, HttpRequestMessage request, string endpoint, TimeSpan timeout, TimeProvider time, Func<JsonDocument, HttpStatusCode, T> parse, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        HttpResponseMessage response;
        byte[] body;
        try
        {
            // The whole answer is read within the timeout, and the client refuses one over MaxAnswerBytes.
            response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
            body = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ProviderApiException($"{endpoint} did not answer within {Configuration.DurationParser.Format(timeout)}");
        }
        catch (HttpRequestException e)
        {
            // The message names the host and port at most, never the query; it is still not repeated verbatim.
            throw new ProviderApiException($"cannot reach {endpoint}: {e.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => "the name does not resolve",
                HttpRequestError.ConnectionError => "the connection failed",
                HttpRequestError.SecureConnectionError => "TLS failed",
                _ => "the request failed",
            }}", inner: e);
        }

        using (response)
        {
            var status = response.StatusCode;
            if ((int)status is >= 300 and < 400)
            {
                throw new ProviderApiException($"{endpoint} answered {(int)status} (a redirect, not followed so the token stays with the configured address): check provider_api.api_url");
            }

            if (status == HttpStatusCode.TooManyRequests)
            {
                var wait = RetryAfter(response, time);
                throw new ProviderApiException(
                    $"{endpoint} answered 429 (too many requests){(wait is { } w ? $", asking to wait {Configuration.DurationParser.Format(w)}" : string.Empty)}: raise provider_api.poll if this repeats", wait);
            }

            if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new ProviderApiException($"{endpoint} refused the token ({(int)status}): check provider_api.token (or token_file, or ${Configuration.ProviderApiOptions.TokenEnvironmentVariable})");
            }

            if ((int)status >= 500)
            {
                throw new ProviderApiException($"{endpoint} answered {(int)status} (a server error on the provider's side)");
            }

            try
            {
                using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
                return parse(document, status);
            }
            catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or OverflowException or ArgumentOutOfRangeException)
            {
                throw new ProviderApiException($"{endpoint} answered {(int)status} with something that is not the documented record ({Describe(e)}): nothing is taken from it", inner: e);
            }
        }
    }

    private static string Describe(Exception e) => e switch
    {
        JsonException => "not JSON",
        KeyNotFoundException k => k.Message,
        _ => e.Message.TrimEnd('.'),
    };

    private static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time)
    {
        if (response.Headers.RetryAfter is not { } retry)
        {
            return null;
        }

        if (retry.Delta is { } delta)
        {
            return delta;
        }

        return retry.Date is { } date && date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    /// <summary>A whole number of bytes (JSON numbers; some APIs write them as strings), or null when the field is null.</summary>
    /// <exception cref="KeyNotFoundException">The field is missing.</exception>
    /// <exception cref="FormatException">It is not a non-negative whole number.</exception>
    public static long? Bytes(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value))
        {
            throw new KeyNotFoundException($"{path}.{name} is missing");
        }

        var number = value.ValueKind switch
        {
            JsonValueKind.Null => (decimal?)null,
            JsonValueKind.Number when value.TryGetDecimal(out var d) => d,
            JsonValueKind.String when decimal.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) => s,
            _ => throw new FormatException($"{path}.{name} is not a number"),
        };
        return number switch
        {
            null => null,
            < 0 => throw new FormatException($"{path}.{name} is negative"),
            > long.MaxValue => throw new FormatException($"{path}.{name} is too large"),
            { } n => (long)Math.Round(n, MidpointRounding.AwayFromZero),
        };
    }
}

/// <summary>The provider API's own HTTP client, owned by the service container (disposed with it, e.g. at a reload).</summary>
public sealed class ProviderApiClient : IDisposable
{
    public HttpClient Http { get; } = ProviderHttp.CreateClient();

    public void Dispose() => Http.Dispose();
}
