using System.Diagnostics;
using System.Globalization;
using System.Text;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Cli;

/// <summary>The real program running in the background (a daemon), its log collected as it comes, for signals and waits.</summary>
public sealed class RunningMonitor : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly Task _reading;

    public RunningMonitor(params string[] arguments)
        : this(null, arguments)
    {
    }

    /// <param name="environment">Variables set for the child (a service manager's NOTIFY_SOCKET, JOURNAL_STREAM).</param>
    public RunningMonitor(IDictionary<string, string>? environment, params string[] arguments)
        : this(CliRunner.Start(arguments, environment: environment))
    {
    }

    private RunningMonitor(Process process)
    {
        _process = process;
        _reading = Task.Run(async () =>
        {
            while (await _process.StandardError.ReadLineAsync() is { } line)
            {
                lock (_log)
                {
                    _log.AppendLine(line);
                }
            }
        });
    }

    /// <summary>Runs it inside <paramref name="networkNamespace"/> (one the test created): it sees, counts and changes only that namespace.</summary>
    public static RunningMonitor InNamespace(string networkNamespace, params string[] arguments) =>
        new(CliRunner.Start(arguments, networkNamespace: networkNamespace));

    public int Id => _process.Id;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Waits until the log contains <paramref name="text"/> <paramref name="count"/> times; fails with the log so far.</summary>
    public void WaitForLog(string text, int count = 1, int timeoutSeconds = 30)
    {
        var clock = Stopwatch.StartNew();
        while (Occurrences(text) < count)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(timeoutSeconds) || _process.HasExited)
            {
                Thread.Sleep(200);
                Assert.Fail($"'{text}' x{count} not logged{(_process.HasExited ? $" (exited {_process.ExitCode})" : string.Empty)}; log so far:\n{Log}");
            }

            Thread.Sleep(50);
        }
    }

    public int Occurrences(string text)
    {
        var log = Log;
        var count = 0;
        for (var i = log.IndexOf(text, StringComparison.Ordinal); i >= 0; i = log.IndexOf(text, i + text.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>Sends a signal (HUP, TERM, KILL) to this process, which the test started.</summary>
    public void Signal(string name) => Programs.Run("kill", "-" + name, _process.Id.ToString(CultureInfo.InvariantCulture));

    /// <summary>Waits for the exit and returns the exit code; fails with the log when it does not exit.</summary>
    public int WaitForExit(int timeoutSeconds = 30)
    {
        Assert.True(_process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)), $"did not exit; log so far:\n{Log}");
        _reading.Wait(TimeSpan.FromSeconds(5));
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }
}
