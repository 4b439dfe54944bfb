using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;

namespace TrafficMonitor.Tests.Components;

/// <summary>One request as the webhook server saw it.</summary>
public sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    /// <summary>The query string as sent, with its leading '?' (empty when none).</summary>
    public string Query { get; init; } = string.Empty;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>How the server answers one request.</summary>
public sealed record Reply(int Status, string Body = "", string? RetryAfter = null, bool Hang = false, string? Location = null)
{
    public static Reply Ok { get; } = new(200, "ok");

    public static Reply Hung { get; } = new(0, Hang: true);

    public static Reply TooManyRequests(string retryAfter) => new(429, "slow down", retryAfter);

    public static Reply Redirect(int status, string location) => new(status, Location: location);
}

/// <summary>
/// A local HTTP server on 127.0.0.1 standing in for Discord, Slack, ntfy, Telegram or any webhook: it records every
/// request and answers from a script (200 by default), or hangs (accepts, never answers).
/// </summary>
public sealed class WebhookServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly ConcurrentQueue<Reply> _script = new();
    private readonly List<ReceivedRequest> _requests = [];
    private readonly List<HttpListenerContext> _hung = [];

    public WebhookServer()
    {
        // A port found free can be taken before it is bound (by any connection of a test running beside this one,
        // ephemeral ports being where free ones are found): then another.
        for (var attempt = 1; ; attempt++)
        {
            Port = SmtpServer.FreePort();
            _listener = new HttpListener { Prefixes = { $"http://127.0.0.1:{Port}/" } };
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 10)
            {
                _listener.Close();
            }
        }

        _ = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Url(string path = "/hook") => $"http://127.0.0.1:{Port}{path}";

    /// <summary>The answer when the script is empty.</summary>
    public Reply Default { get; set; } = Reply.Ok;

    /// <summary>Called with each request after it is recorded and before it is answered (e.g. to kill the sender).</summary>
    public Action<ReceivedRequest>? OnRequest { get; set; }

    public IReadOnlyList<ReceivedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>The next requests get these answers, in order; then <see cref="Default"/>.</summary>
    public WebhookServer Answer(params Reply[] replies)
    {
        foreach (var reply in replies)
        {
            _script.Enqueue(reply);
        }

        return this;
    }

    public IReadOnlyList<ReceivedRequest> WaitForRequests(int count, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < (timeout ?? TimeSpan.FromSeconds(10)) && Requests.Count < count)
        {
            Thread.Sleep(25);
        }

        return Requests;
    }

    public void Dispose()
    {
        lock (_hung)
        {
            _hung.ForEach(c => c.Response.Abort());
        }

        _listener.Close();
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => Handle(context));
        }
    }

    private void Handle(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var headers = context.Request.Headers.AllKeys.Where(k => k is not null)
            .ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
        var request = new ReceivedRequest(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, headers, reader.ReadToEnd()) { Query = context.Request.Url.Query };
        lock (_requests)
        {
            _requests.Add(request);
        }

        OnRequest?.Invoke(request);
        var reply = _script.TryDequeue(out var scripted) ? scripted : Default;
        if (reply.Hang)
        {
            lock (_hung)
            {
                _hung.Add(context);
            }

            return;
        }

        try
        {
            context.Response.StatusCode = reply.Status;
            if (reply.RetryAfter is not null)
            {
                context.Response.AddHeader("Retry-After", reply.RetryAfter);
            }

            if (reply.Location is not null)
            {
                context.Response.AddHeader("Location", reply.Location);
            }

            var body = Encoding.UTF8.GetBytes(reply.Body);
            context.Response.ContentLength64 = body.Length;
            context.Response.OutputStream.Write(body);
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The client went away (timed out or was killed): nothing to answer.
        }
    }
}
