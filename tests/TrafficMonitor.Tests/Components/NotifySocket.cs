using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace TrafficMonitor.Tests.Components;

/// <summary>
/// A service manager's notification socket (what systemd passes in <c>$NOTIFY_SOCKET</c>): a real AF_UNIX datagram
/// socket, bound to a path in a fresh directory or to an abstract name, that collects every message as it comes.
/// </summary>
public sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly TempDirectory? _directory;
    private readonly List<string> _messages = [];
    private readonly Thread _reader;

    /// <param name="abstractName">Binds to this abstract name (<c>@name</c> in the variable) rather than a path.</param>
    public NotifySocket(bool abstractName = false)
    {
        if (abstractName)
        {
            var name = "tm-test-notify-" + Guid.NewGuid().ToString("N")[..12];
            _socket.Bind(new UnixDomainSocketEndPoint("\0" + name));
            Variable = "@" + name;
        }
        else
        {
            _directory = new TempDirectory();
            Variable = _directory.Combine("notify");
            _socket.Bind(new UnixDomainSocketEndPoint(Variable));
        }

        _reader = new Thread(Read) { IsBackground = true };
        _reader.Start();
    }

    /// <summary>The value for <c>$NOTIFY_SOCKET</c>.</summary>
    public string Variable { get; }

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    /// <summary>Waits for the first message after <paramref name="after"/> earlier ones that matches; fails with every message so far.</summary>
    public (string Message, int Index) WaitFor(Func<string, bool> match, int after = 0, int timeoutSeconds = 30, Func<string>? context = null)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(timeoutSeconds))
        {
            var messages = Messages;
            for (var i = after; i < messages.Count; i++)
            {
                if (match(messages[i]))
                {
                    return (messages[i], i);
                }
            }

            Thread.Sleep(20);
        }

        Assert.Fail($"no matching notification; received:\n{string.Join("\n---\n", Messages)}\n{context?.Invoke()}");
        return default;
    }

    private void Read()
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var read = _socket.Receive(buffer);
                lock (_messages)
                {
                    _messages.Add(Encoding.UTF8.GetString(buffer, 0, read));
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        _directory?.Dispose();
    }
}
