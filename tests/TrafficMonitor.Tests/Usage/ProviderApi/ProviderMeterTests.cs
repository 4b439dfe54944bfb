using System.Text.Json;
using TrafficMonitor.Configuration;
using TrafficMonitor.Tests.Components;
using TrafficMonitor.Usage.ProviderApi;
using TrafficMonitor.Usage.ProviderApi.Hetzner;
using TrafficMonitor.Usage.ProviderApi.KiwiVm;

namespace TrafficMonitor.Tests.Usage.ProviderApi;

/// <summary>Each meter against a local stand-in of its API: the documented answer, and every way it can fail.</summary>
public sealed class ProviderMeterTests : IDisposable
{
    private const string Token = "hcloud-SECRET-token-123";
    private static readonly DateTimeOffset Now = new(2026, 11, 10, 12, 0, 0, TimeSpan.Zero);
    private readonly HttpClient _http = ProviderHttp.CreateClient();

    public void Dispose() => _http.Dispose();

    private static ProviderApiOptions Options(string kind, string url, TimeSpan? timeout = null) => new()
    {
        Kind = kind,
        Token = new Secret(Token),
        ServerId = "42",
        ApiUrl = new Uri(url),
        Timeout = timeout ?? TimeSpan.FromSeconds(5),
    };

    private HetznerMeter Hetzner(ProviderApiServer server, TimeSpan? timeout = null) =>
        new(Options(ProviderApiOptions.HetznerKind, server.Url, timeout), _http, TimeProvider.System);

    private KiwiVmMeter KiwiVm(ProviderApiServer server) => new(Options(ProviderApiOptions.KiwiVmKind, server.Url), _http, TimeProvider.System);

    [Fact]
    public void HetznerRead_DocumentedRecord_BillsOutgoingAndGivesTheIncludedTraffic()
    {
        using var json = JsonDocument.Parse(ProviderApiServer.HetznerServer(123_456, 654_321, 21_990_232_555_520));

        var reading = HetznerMeter.Read(json.RootElement, Now);

        Assert.Equal(new ProviderMeterReading(Now, 123_456, 654_321, 123_456, 21_990_232_555_520, null), reading);
    }

    [Fact]
    public void HetznerRead_OutgoingNull_IsNoReading()
    {
        using var json = JsonDocument.Parse(ProviderApiServer.HetznerServer(null, null, 1));

        Assert.Throws<ProviderApiException>(() => HetznerMeter.Read(json.RootElement, Now));
    }

    [Fact]
    public void KiwiVmRead_DocumentedRecord_MultipliesCounterAndPlan()
    {
        var reset = new DateTimeOffset(2026, 12, 17, 0, 0, 0, TimeSpan.Zero);
        using var json = JsonDocument.Parse(ProviderApiServer.KiwiVmService(1000, 5000, 1.5m, reset));

        var reading = KiwiVmMeter.Read(json.RootElement, Now);

        Assert.Equal(new ProviderMeterReading(Now, 1500, null, null, 7500, reset, 1.5m), reading);
    }

    [Fact]
    public void KiwiVmRead_ErrorCode_IsARefusal()
    {
        using var json = JsonDocument.Parse("""{"error": 700005, "message": "Authentication failure"}""");

        var e = Assert.Throws<ProviderApiException>(() => KiwiVmMeter.Read(json.RootElement, Now));
        Assert.Contains("Authentication failure", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hetzner_LocalApi_SendsTheBearerTokenToTheServersPath()
    {
        using var server = ProviderApiServer.Hetzner();
        server.Outgoing = 5_000;

        var reading = await Hetzner(server).ReadAsync(CancellationToken.None);

        Assert.Equal(5_000, reading.BilledBytes);
        var request = Assert.Single(server.Requests);
        Assert.Equal(("GET", "/v1/servers/42"), (request.Method, request.Path));
        Assert.Equal($"Bearer {Token}", request.Header("Authorization"));
    }

    [Fact]
    public async Task KiwiVm_LocalApi_AsksWithVeidAndKeyButShowsTheKeyMasked()
    {
        using var server = ProviderApiServer.KiwiVm();
        server.Outgoing = 7_000;
        var meter = KiwiVm(server);

        var reading = await meter.ReadAsync(CancellationToken.None);

        Assert.Equal(7_000, reading.BilledBytes);
        var request = Assert.Single(server.Requests);
        Assert.Equal("/v1/getServiceInfo", request.Path);
        Assert.Equal($"?veid=42&api_key={Token}", request.Query);
        Assert.DoesNotContain(Token, meter.Endpoint, StringComparison.Ordinal);
        Assert.EndsWith("api_key=********", meter.Endpoint, StringComparison.Ordinal);
    }

    public static TheoryData<int, string, string> Failures => new()
    {
        { 401, """{"error": {"code": "unauthorized", "message": "unable to authenticate"}}""", "refused the token (401)" },
        { 500, "oops", "answered 500" },
        { 503, "", "answered 503" },
        { 200, "<html>maintenance</html>", "not the documented record (not JSON)" },
        { 200, """{"servers": []}""", "not the documented record" },
        { 200, """{"server": {"outgoing_traffic": "lots", "ingoing_traffic": 1, "included_traffic": 1}}""", "server.outgoing_traffic is not a number" },
        { 404, """{"error": {"code": "not_found", "message": "server with ID '42' not found"}}""", "check provider_api.server_id" },
        { 302, "", "a redirect, not followed" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task Hetzner_FailedAnswer_IsAnErrorThatNamesTheCauseAndNeverTheToken(int status, string body, string expected)
    {
        using var server = ProviderApiServer.Hetzner();
        server.Answer(new Reply(status, body, Location: status == 302 ? "http://elsewhere.invalid/" : null));

        var e = await Assert.ThrowsAsync<ProviderApiException>(() => Hetzner(server).ReadAsync(CancellationToken.None));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hetzner_TooManyRequests_CarriesRetryAfter()
    {
        using var server = ProviderApiServer.Hetzner();
        server.Answer(Reply.TooManyRequests("120"));

        var e = await Assert.ThrowsAsync<ProviderApiException>(() => Hetzner(server).ReadAsync(CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(120), e.RetryAfter);
        Assert.Contains("429", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hetzner_HugeAnswer_IsRefusedNotReadIntoMemory()
    {
        using var server = ProviderApiServer.Hetzner();
        server.Answer(new Reply(200, new string(' ', 2 * ProviderHttp.MaxAnswerBytes)));

        await Assert.ThrowsAsync<ProviderApiException>(() => Hetzner(server).ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Hetzner_NoAnswer_TimesOutNamingTheTimeout()
    {
        using var server = ProviderApiServer.Hetzner();
        server.Answer(Reply.Hung);

        var e = await Assert.ThrowsAsync<ProviderApiException>(() => Hetzner(server, TimeSpan.FromMilliseconds(300)).ReadAsync(CancellationToken.None));

        Assert.Contains("did not answer within", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KiwiVm_NothingListening_SaysItCannotReachAndHidesTheKey()
    {
        var meter = new KiwiVmMeter(Options(ProviderApiOptions.KiwiVmKind, $"http://127.0.0.1:{SmtpServer.FreePort()}"), _http, TimeProvider.System);

        var e = await Assert.ThrowsAsync<ProviderApiException>(() => meter.ReadAsync(CancellationToken.None));

        Assert.Contains("cannot reach", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, e.Message, StringComparison.Ordinal);
    }
}
