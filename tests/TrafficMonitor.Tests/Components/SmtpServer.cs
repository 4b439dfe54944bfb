using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TrafficMonitor.Tests.Components;

public sealed record SmtpServerOptions(string? User = null, string? Password = null, TlsCertificate? Tls = null, bool RequireStartTls = false, bool ImplicitTls = false, bool StallAfterData = false);

/// <summary>Debian's aiosmtpd, started by the test on a free loopback port; received messages are read from disk.</summary>
public sealed class SmtpServer : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly Process _process;

    public SmtpServer(SmtpServerOptions? options = null, int? port = null)
    {
        options ??= new SmtpServerOptions();
        // A port found free can be taken before the server binds it (as WebhookServer's): then another, unless the test chose it.
        for (var attempt = 1; ; attempt++)
        {
            Port = port ?? FreePort();
            _process = Start(options, Port);
            var ready = _process.StandardOutput.ReadLineAsync();
            if (ready.Wait(TimeSpan.FromSeconds(20)) && ready.Result == "READY")
            {
                return;
            }

            _process.Kill();
            var error = _process.StandardError.ReadToEnd();
            _process.Dispose();
            if (port is not null || attempt == 10 || !error.Contains("Address already in use", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"the SMTP server did not start: {error}");
            }
        }
    }

    public int Port { get; }

    private Process Start(SmtpServerOptions options, int port)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Components", "smtp_server.py");
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in new[] { script, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", _directory.Path })
        {
            start.ArgumentList.Add(argument);
        }

        if (options.User is not null)
        {
            start.ArgumentList.Add("--user");
            start.ArgumentList.Add(options.User);
            start.ArgumentList.Add("--password");
            start.ArgumentList.Add(options.Password!);
        }

        if (options.Tls is { } tls)
        {
            start.ArgumentList.Add("--tls-cert");
            start.ArgumentList.Add(tls.CertificateFile);
            start.ArgumentList.Add("--tls-key");
            start.ArgumentList.Add(tls.KeyFile);
        }

        if (options.RequireStartTls)
        {
            start.ArgumentList.Add("--require-starttls");
        }

        if (options.ImplicitTls)
        {
            start.ArgumentList.Add("--implicit-tls");
        }

        if (options.StallAfterData)
        {
            start.ArgumentList.Add("--stall-after-data");
        }

        return Process.Start(start)!;
    }

    public IReadOnlyList<string> Messages =>
        Directory.GetFiles(_directory.Path, "*.eml").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList();

    /// <summary>Waits until at least <paramref name="count"/> messages arrived (the server writes them as they come).</summary>
    public IReadOnlyList<string> WaitForMessages(int count, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < (timeout ?? TimeSpan.FromSeconds(10)))
        {
            var messages = Messages;
            if (messages.Count >= count)
            {
                return messages;
            }

            Thread.Sleep(50);
        }

        return Messages;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }

        _process.Dispose();
        _directory.Dispose();
    }
}

/// <summary>A self-signed certificate for 127.0.0.1 and localhost, made with openssl.</summary>
public sealed class TlsCertificate : IDisposable
{
    private readonly TempDirectory _directory = new();

    public TlsCertificate()
    {
        CertificateFile = _directory.Combine("cert.pem");
        KeyFile = _directory.Combine("key.pem");
        Programs.Run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", KeyFile, "-out", CertificateFile);
    }

    public string CertificateFile { get; }

    public string KeyFile { get; }

    public void Dispose() => _directory.Dispose();
}

/// <summary>A server that accepts connections and never says a word: the hung SMTP server.</summary>
public sealed class SilentServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _clients = [];
    private readonly CancellationTokenSource _stop = new();

    public SilentServer()
    {
        _listener.Start();
        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    lock (_clients)
                    {
                        _clients.Add(client);
                    }
                }
                catch (Exception)
                {
                    return;
                }
            }
        });
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_clients)
        {
            _clients.ForEach(c => c.Dispose());
        }

        _stop.Dispose();
    }
}
