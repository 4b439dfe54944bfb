using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using TrafficMonitor.Hosting;

namespace TrafficMonitor.Metrics;

/// <summary>
/// A minimal HTTP/1.1 responder on a socket: GET and HEAD of a few paths, one request per connection. It is what
/// Prometheus and a browser need and nothing else, so it costs far less memory than HttpListener or Kestrel, and every
/// resource a client can hold is bounded (<see cref="HttpLimits"/>): the request head's size and arrival time, the
/// response's send time, and the connections served at once.
/// </summary>
public sealed partial class MetricsHttpServer : IAsyncDisposable
{
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] BareHeadEnd = "\n\n"u8.ToArray();

    private readonly Func<string, HttpResponse> _handler;
    private readonly HttpLimits _limits;
    private readonly ILogger _logger;
    private readonly Socket _socket;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stopping = new();
    private Task _accepting = Task.CompletedTask;

    /// <param name="handler">The response to a GET of a path (the query string removed); HEAD sends its head only.</param>
    public MetricsHttpServer(IPEndPoint endpoint, Func<string, HttpResponse> handler, HttpLimits limits, ILogger logger)
    {
        _handler = handler;
        _limits = limits;
        _logger = logger;
        _slots = new SemaphoreSlim(limits.MaxConnections, limits.MaxConnections);
        _socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _socket.Bind(endpoint);
            _socket.Listen(limits.MaxConnections);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public void Start() => _accepting = AcceptAsync(_stopping.Token);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        try
        {
            await _accepting.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        // Connections in progress end by their own timeouts, or at once: they watch the same token.
        _stopping.Dispose();
    }

    private async Task AcceptAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (SocketException e) when (!stopping.IsCancellationRequested)
            {
                // A client that reset before it was accepted, or out of descriptors: carry on, a little later.
                LogAcceptFailed(e.Message);
                await Task.Delay(100, stopping).ConfigureAwait(false);
                continue;
            }

            if (!_slots.Wait(0, CancellationToken.None))
            {
                Refuse(client);
                continue;
            }

            _ = ServeAsync(client, stopping);
        }
    }

    /// <summary>Every slot is taken: say so at once, without waiting for the request.</summary>
    private static void Refuse(Socket client)
    {
        using (client)
        {
            try
            {
                var response = HttpResponse.Text(503, "busy: too many connections");
                client.Blocking = false;
                client.Send([.. response.Head(), .. response.Body]);
                client.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
            }
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken stopping)
    {
        try
        {
            using (client)
            {
                client.NoDelay = true;
                var response = await ReadRequestAsync(client, stopping).ConfigureAwait(false);
                if (response is not null)
                {
                    await WriteAsync(client, response.Value.Response, response.Value.HeadOnly, stopping).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            LogConnectionEnded(e.Message);
        }
        catch (Exception e)
        {
            // A bug in a page must not end the listener, nor the monitor.
            LogRequestFailed(e);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>The response to the request on <paramref name="client"/>; null when the client went away.</summary>
    private async Task<(HttpResponse Response, bool HeadOnly)?> ReadRequestAsync(Socket client, CancellationToken stopping)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_limits.MaxRequestBytes);
        try
        {
            return await ReadRequestAsync(client, buffer.AsMemory(0, _limits.MaxRequestBytes), stopping).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<(HttpResponse Response, bool HeadOnly)?> ReadRequestAsync(Socket client, Memory<byte> buffer, CancellationToken stopping)
    {
        var filled = 0;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(_limits.RequestTimeout);
        while (true)
        {
            var end = HeadLength(buffer.Span[..filled]);
            if (end > 0)
            {
                return Respond(Encoding.ASCII.GetString(buffer.Span[..end]));
            }

            if (filled == buffer.Length)
            {
                return (HttpResponse.Text(431, $"the request head is over {_limits.MaxRequestBytes} bytes"), false);
            }

            int read;
            try
            {
                read = await client.ReceiveAsync(buffer[filled..], SocketFlags.None, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                return (HttpResponse.Text(408, $"the request took over {DurationText(_limits.RequestTimeout)} to arrive"), false);
            }

            if (read == 0)
            {
                return null;
            }

            filled += read;
        }
    }

    private static int HeadLength(ReadOnlySpan<byte> received)
    {
        var end = received.IndexOf(HeadEnd);
        if (end >= 0)
        {
            return end;
        }

        end = received.IndexOf(BareHeadEnd);
        return end >= 0 ? end : -1;
    }

    private (HttpResponse Response, bool HeadOnly) Respond(string head)
    {
        var requestLine = head.Split('\n', 2)[0].TrimEnd('\r');
        var parts = requestLine.Split(' ');
        if (parts.Length != 3 || parts[1].Length == 0)
        {
            return (HttpResponse.Text(400, "not an HTTP request line"), false);
        }

        var (method, target, version) = (parts[0], parts[1], parts[2]);
        if (!version.StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return (HttpResponse.Text(505, "only HTTP/1.x is spoken here"), false);
        }

        var headOnly = method == "HEAD";
        if (method != "GET" && !headOnly)
        {
            return (HttpResponse.Text(405, "only GET and HEAD") with { Allow = "GET, HEAD" }, false);
        }

        var path = target.Split('?', 2)[0];
        return (_handler(path), headOnly);
    }

    private async Task WriteAsync(Socket client, HttpResponse response, bool headOnly, CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(_limits.WriteTimeout);
        await client.SendAsync(response.Head(), SocketFlags.None, timeout.Token).ConfigureAwait(false);
        if (!headOnly && response.Body.Length > 0)
        {
            await client.SendAsync(response.Body, SocketFlags.None, timeout.Token).ConfigureAwait(false);
        }

        client.Shutdown(SocketShutdown.Send);
        if (response.Status >= 400)
        {
            // What the client still sends (the rest of an oversized head) would make the kernel reset the connection and
            // lose the response on its way: take a little of it, briefly, before closing.
            var sink = new byte[4096];
            var drained = 0;
            using var drain = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            drain.CancelAfter(TimeSpan.FromMilliseconds(500));
            try
            {
                int read;
                while (drained < 64 * 1024 && (read = await client.ReceiveAsync(sink, SocketFlags.None, drain.Token).ConfigureAwait(false)) > 0)
                {
                    drained += read;
                }
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
            }
        }
    }

    private static string DurationText(TimeSpan duration) => Configuration.DurationParser.Format(duration);

    [LoggerMessage(EventId = LogEvents.MetricsAcceptFailed, Level = LogLevel.Warning, Message = "The metrics endpoint could not accept a connection: {Reason}")]
    private partial void LogAcceptFailed(string reason);

    [LoggerMessage(EventId = LogEvents.MetricsConnectionEnded, Level = LogLevel.Debug, Message = "A metrics connection ended early: {Reason}")]
    private partial void LogConnectionEnded(string reason);

    [LoggerMessage(EventId = LogEvents.MetricsRequestFailed, Level = LogLevel.Error, Message = "A metrics request failed unexpectedly; the endpoint carries on")]
    private partial void LogRequestFailed(Exception exception);
}
