using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using TrafficMonitor.Configuration;

namespace TrafficMonitor.Usage.ProviderApi.Hetzner;

/// <summary>
/// Hetzner Cloud: <c>GET {api_url}/v1/servers/{id}</c> with <c>Authorization: Bearer</c>. The answer's
/// <c>server.outgoing_traffic</c> and <c>server.ingoing_traffic</c> are bytes in the current billing period (null
/// until Hetzner has counted any), <c>server.included_traffic</c> the plan's bytes. Hetzner bills outgoing traffic only.
/// </summary>
public sealed class HetznerMeter(ProviderApiOptions options, HttpClient client, TimeProvider time) : IProviderMeter
{
    public string Kind => ProviderApiOptions.HetznerKind;

    public string Billing => "outgoing traffic only";

    public string Endpoint => $"{Base(options.ApiUrl)}/v1/servers/{options.ServerId}";

    public async Task<ProviderMeterReading> ReadAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Endpoint);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Token.Reveal());
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return await ProviderHttp.GetAsync(client, request, Endpoint, options.Timeout, time, Parse, cancellationToken).ConfigureAwait(false);
    }

    public long OwnBilled(UsageReading own, CountMode count) => own.MeasuredTx;

    private ProviderMeterReading Parse(JsonDocument document, HttpStatusCode status)
    {
        var root = document.RootElement;
        if (status == HttpStatusCode.NotFound)
        {
            throw new ProviderApiException($"{Endpoint} answered 404: there is no server {options.ServerId} in the token's project; check provider_api.server_id ({ErrorText(root)})");
        }

        if (status != HttpStatusCode.OK)
        {
            throw new ProviderApiException($"{Endpoint} answered {(int)status} ({ErrorText(root)})");
        }

        return Read(root, time.GetUtcNow());
    }

    /// <summary>Reads a server record as the API documents it; pure, for tests on fixed text.</summary>
    /// <exception cref="ProviderApiException">Hetzner has not counted the outgoing traffic yet (null).</exception>
    public static ProviderMeterReading Read(JsonElement root, DateTimeOffset readAt)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("server", out var server) || server.ValueKind != JsonValueKind.Object)
        {
            throw new KeyNotFoundException("the server object is missing");
        }

        var outgoing = ProviderHttp.Bytes(server, "outgoing_traffic", "server");
        var ingoing = ProviderHttp.Bytes(server, "ingoing_traffic", "server");
        var included = ProviderHttp.Bytes(server, "included_traffic", "server");
        return outgoing is { } billed
            ? new ProviderMeterReading(readAt, billed, ingoing, outgoing, included is > 0 ? included : null, NextReset: null)
            : throw new ProviderApiException("Hetzner reports no outgoing traffic for this server yet (server.outgoing_traffic is null)");
    }

    private static string ErrorText(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
            ? $"{Text(error, "code")}: {Text(error, "message")}"
            : "no error record";

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "?";

    internal static string Base(Uri apiUrl) => apiUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
}
