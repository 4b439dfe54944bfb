using System.Text.Json;
using TrafficMonitor.Configuration;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Usage.ProviderApi;

/// <summary>
/// The real program in a network namespace the test creates, with real iperf3 traffic through a veth pair and a
/// stand-in of Hetzner's API on the namespace's own loopback (never counted): the live fill is exactly what the
/// kernel counted since the provider's reading.
/// </summary>
public sealed class ProviderLiveFillTrafficTests : IDisposable
{
    private const long MiB = 1024 * 1024;
    private const long GiB = 1024 * MiB;
    private const int Port = 18080;
    private const string Token = "live-fill-SECRET";
    private readonly NetworkNamespacePair _net = new();
    private readonly TempDirectory _dir = new();
    private readonly string _config;

    public ProviderLiveFillTrafficTests()
    {
        _dir.Write("outgoing", (5 * GiB).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var script = _dir.Write("hetzner.py", $$$"""
            import http.server, json
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    out = int(open("{{{_dir.Combine("outgoing")}}}").read())
                    body = json.dumps({"server": {"id": 42, "outgoing_traffic": out, "ingoing_traffic": 0, "included_traffic": 21990232555520}}).encode()
                    self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
                def log_message(self, *a): pass
            http.server.HTTPServer(("127.0.0.1", {{{Port}}}), H).serve_forever()
            """);
        _net.Start(_net.NamespaceA, "/usr/bin/python3", script);
        _config = _dir.Write("settings.yaml", TestSettings.Yaml(
            _dir.Combine("state"),
            totalLimit: "provider",
            interval: "\"1 TiB\"",
            monitor: $"provider: system\ncount: tx\ninterfaces: [{_net.InterfaceA}]",
            extra: $"provider_api:\n  kind: hetzner\n  server_id: 42\n  api_url: http://127.0.0.1:{Port}\n"));
    }

    public void Dispose()
    {
        _net.Dispose();
        _dir.Dispose();
    }

    private CliResult Cli(params string[] arguments) =>
        CliRunner.Run(["--config", _config, .. arguments], environment: new Dictionary<string, string> { [ProviderApiOptions.TokenEnvironmentVariable] = Token }, networkNamespace: _net.NamespaceA);

    [Fact]
    public void Status_AfterRealTrafficSinceTheProvidersReading_CountsItPlusExactlyWhatTheKernelSent()
    {
        var tested = Cli("test-provider");
        for (var i = 0; i < 20 && tested.ExitCode != 0; i++)
        {
            // The stand-in is still starting.
            Thread.Sleep(250);
            tested = Cli("test-provider");
        }

        Assert.True(tested.ExitCode == 0, tested.Output + tested.Error);
        Assert.Equal(0, Cli("--once").ExitCode);
        var atReading = _net.CountersA.Tx;

        _net.Send(200 * MiB);
        var status = Cli("status", "--json");

        Assert.True(status.ExitCode == 0, status.Error + status.Output);
        var sent = _net.CountersA.Tx - atReading;
        Assert.True(sent > 190 * MiB, $"{sent}");
        using var json = JsonDocument.Parse(status.Output);
        var api = json.RootElement.GetProperty("provider_api");
        Assert.Equal(5 * GiB, api.GetProperty("provider_bytes").GetInt64());
        Assert.Equal(sent, api.GetProperty("own_since_bytes").GetInt64());
        Assert.Equal(5 * GiB + sent, json.RootElement.GetProperty("counted_bytes").GetInt64());
        Assert.Equal(20L << 40, json.RootElement.GetProperty("limit_bytes").GetInt64());
        Assert.DoesNotContain(Token, status.Output + status.Error, StringComparison.Ordinal);
    }
}
