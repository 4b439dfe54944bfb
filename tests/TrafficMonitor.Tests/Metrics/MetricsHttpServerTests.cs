using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using TrafficMonitor.Metrics;

namespace TrafficMonitor.Tests.Metrics;

/// <summary>The endpoint's socket responder against well-behaved, slow, oversized and numerous clients, on loopback.</summary>
public sealed class MetricsHttpServerTests : IAsyncLifetime
{
    private static readonly HttpLimits Limits = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), 8 * 1024, 4);
    private MetricsHttpServer _server = null!;

    public Task InitializeAsync()
    {
        _server = new MetricsHttpServer(
            new IPEndPoint(IPAddress.Loopback, 0),
            path => path == "/metrics" ? new HttpResponse(200, PrometheusText.ContentType, "traffic_monitor_up 1\n"u8.ToArray()) : HttpResponse.Text(404, "no"),
            Limits,
            NullLogger.Instance);
        _server.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_server.LocalEndPoint);
        return socket;
    }

    /// <summary>Everything the server sends until it closes; fails if it does not close within <paramref name="seconds"/>.</summary>
    private static async Task<string> ReadToCloseAsync(Socket socket, int seconds = 5)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the server did not close the connection within {seconds}s; received: {Encoding.ASCII.GetString(received.ToArray())}");
        }

        return Encoding.ASCII.GetString(received.ToArray());
    }

    private async Task<string> RequestAsync(string request)
    {
        using var socket = await ConnectAsync();
        await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None);
        return await ReadToCloseAsync(socket);
    }

    [Fact]
    public async Task Get_Metrics_AnswersTheTextFormatAndCloses()
    {
        var response = await RequestAsync("GET /metrics?x=1 HTTP/1.1\r\nHost: localhost\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", response, StringComparison.Ordinal);
        Assert.Contains("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n", response, StringComparison.Ordinal);
        Assert.Contains("Content-Length: 21\r\n", response, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\ntraffic_monitor_up 1\n", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Head_Metrics_SendsTheHeadOnly()
    {
        var response = await RequestAsync("HEAD /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", response, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n", response, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", "405 Method Not Allowed")]
    [InlineData("GET /secret HTTP/1.1\r\n\r\n", "404 Not Found")]
    [InlineData("hello\r\n\r\n", "400 Bad Request")]
    [InlineData("GET /metrics HTTP/2.0\r\n\r\n", "505 HTTP Version Not Supported")]
    public async Task Request_NotAGetOfAKnownPath_IsRefused(string request, string status)
    {
        Assert.StartsWith($"HTTP/1.1 {status}\r\n", await RequestAsync(request), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlowClient_SendingHeadersAByteAtATime_IsTimedOut()
    {
        // Slowloris: the head trickles in forever, each byte well within any per-read timeout.
        using var socket = await ConnectAsync();
        var clock = Stopwatch.StartNew();
        var trickle = Task.Run(async () =>
        {
            try
            {
                foreach (var b in Encoding.ASCII.GetBytes("GET /metrics HTTP/1.1\r\nX-Slow: " + new string('a', 100)))
                {
                    await socket.SendAsync(new[] { b }, SocketFlags.None);
                    await Task.Delay(100);
                }
            }
            catch (SocketException)
            {
                // The server closed on us: that is the point.
            }
        });

        var response = await ReadToCloseAsync(socket);

        Assert.StartsWith("HTTP/1.1 408 Request Timeout\r\n", response, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, Limits.RequestTimeout - TimeSpan.FromMilliseconds(100), Limits.RequestTimeout + TimeSpan.FromSeconds(2));
        await trickle;
    }

    [Fact]
    public async Task OversizedHead_Gets431AndTheConnectionIsClosed()
    {
        var response = await RequestAsync("GET /metrics HTTP/1.1\r\nX-Big: " + new string('a', 20_000) + "\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManyConnections_BeyondTheBound_AreRefusedAtOnce_AndServiceResumes()
    {
        // Four idle connections hold every slot until their request timeout.
        var idle = new List<Socket>();
        for (var i = 0; i < Limits.MaxConnections; i++)
        {
            idle.Add(await ConnectAsync());
        }

        await Task.Delay(200);
        var clock = Stopwatch.StartNew();
        var refused = await RequestAsync("GET /metrics HTTP/1.1\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 503 Service Unavailable\r\n", refused, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"refused after {clock.Elapsed}");

        // Once the idle ones are timed out, a scrape gets through again.
        foreach (var socket in idle)
        {
            Assert.StartsWith("HTTP/1.1 408", await ReadToCloseAsync(socket), StringComparison.Ordinal);
            socket.Dispose();
        }

        // A slot is free once the server has seen the client go (it reads briefly after an error answer).
        await Task.Delay(200);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", await RequestAsync("GET /metrics HTTP/1.1\r\n\r\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientThatConnectsAndLeaves_DoesNotHoldASlot()
    {
        for (var i = 0; i < Limits.MaxConnections * 3; i++)
        {
            using var socket = await ConnectAsync();
            socket.Close();
        }

        await Task.Delay(200);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", await RequestAsync("GET /metrics HTTP/1.1\r\n\r\n"), StringComparison.Ordinal);
    }
}
