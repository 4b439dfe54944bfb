using System.Globalization;
using System.Net;
using System.Text.Json;
using TrafficMonitor.Configuration;
using TrafficMonitor.Usage.ProviderApi.Hetzner;

namespace TrafficMonitor.Usage.ProviderApi.KiwiVm;

/// <summary>
/// KiwiVM (BandwagonHost): <c>GET {api_url}/v1/getServiceInfo?veid=…&amp;api_key=…</c>. <c>data_counter</c> is the
/// period's counted bytes and <c>plan_monthly_data</c> the plan's, each to be multiplied by
/// <c>monthly_data_multiplier</c> (dearer locations count a byte more than once); <c>data_next_reset</c> is when the
/// counter starts again (unix time). The API key travels in the query: the address is only ever shown masked.
/// </summary>
public sealed class KiwiVmMeter(ProviderApiOptions options, HttpClient client, TimeProvider time) : IProviderMeter
{
    public string Kind => ProviderApiOptions.KiwiVmKind;

    public string Billing => "one data counter × monthly_data_multiplier";

    public string Endpoint => Address(Secret.Mask);

    public async Task<ProviderMeterReading> ReadAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Address(options.Token.Reveal()));
        return await ProviderHttp.GetAsync(client, request, Endpoint, options.Timeout, time, Parse, cancellationToken).ConfigureAwait(false);
    }

    public long OwnBilled(UsageReading own, CountMode count) => UsageReading.Count(count, own.MeasuredRx, own.MeasuredTx);

    private string Address(string key) =>
        $"{HetznerMeter.Base(options.ApiUrl)}/v1/getServiceInfo?veid={Uri.EscapeDataString(options.ServerId)}&api_key={(key == Secret.Mask ? key : Uri.EscapeDataString(key))}";

    private ProviderMeterReading Parse(JsonDocument document, HttpStatusCode status) =>
        status == HttpStatusCode.OK
            ? Read(document.RootElement, time.GetUtcNow())
            : throw new ProviderApiException($"{Endpoint} answered {(int)status}");

    /// <summary>Reads a service record as the API documents it; pure, for tests on fixed text.</summary>
    /// <exception cref="ProviderApiException">KiwiVM answered with an error code (a wrong veid or key).</exception>
    public static ProviderMeterReading Read(JsonElement root, DateTimeOffset readAt)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new KeyNotFoundException("the service record is missing");
        }

        // KiwiVM answers 200 to everything; a non-zero "error" (with a "message") is its refusal.
        if (root.TryGetProperty("error", out var error) && !(error.ValueKind == JsonValueKind.Number && error.TryGetInt64(out var code) && code == 0))
        {
            var message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : "no message";
            throw new ProviderApiException($"KiwiVM refused the request (error {error.GetRawText()}: {message}): check provider_api.veid and provider_api.token");
        }

        var multiplier = root.TryGetProperty("monthly_data_multiplier", out var mult) && mult.ValueKind == JsonValueKind.Number ? mult.GetDecimal() : 1m;
        if (multiplier <= 0)
        {
            throw new FormatException("monthly_data_multiplier is not positive");
        }

        var counter = ProviderHttp.Bytes(root, "data_counter", "service") ?? throw new FormatException("data_counter is null");
        var plan = ProviderHttp.Bytes(root, "plan_monthly_data", "service");
        var nextReset = ProviderHttp.Bytes(root, "data_next_reset", "service") is { } unix and > 0
            ? DateTimeOffset.FromUnixTimeSeconds(unix)
            : (DateTimeOffset?)null;
        return new ProviderMeterReading(
            readAt, Scale(counter, multiplier), RxBytes: null, TxBytes: null, plan is > 0 ? Scale(plan.Value, multiplier) : null, nextReset, multiplier);
    }

    private static long Scale(long bytes, decimal multiplier) => (long)Math.Round(bytes * multiplier, MidpointRounding.AwayFromZero);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"kiwivm {options.ServerId}");
}
