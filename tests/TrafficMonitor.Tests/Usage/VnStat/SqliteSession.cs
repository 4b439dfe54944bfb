using System.Diagnostics;

namespace TrafficMonitor.Tests.Usage.VnStat;

/// <summary>
/// An interactive sqlite3 session on a database, kept open: a writer that holds a transaction or a lock, or a second
/// connection that keeps a write-ahead log from being checkpointed away when another connection closes.
/// </summary>
public sealed class SqliteSession : IDisposable
{
    private readonly Process _process;
    private int _marker;

    public SqliteSession(string databaseFile)
    {
        var start = new ProcessStartInfo("sqlite3", [databaseFile])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start)!;
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
    }

    /// <summary>Runs the statements and waits until sqlite3 has run them (it answers a marker query after them).</summary>
    public void Execute(string statements)
    {
        var marker = $"done-{++_marker}";
        _process.StandardInput.WriteLine(statements);
        _process.StandardInput.WriteLine($"select '{marker}';");
        _process.StandardInput.Flush();
        var read = Task.Run(() =>
        {
            while (_process.StandardOutput.ReadLine() is { } line)
            {
                if (line == marker)
                {
                    return true;
                }
            }

            return false;
        });
        if (!read.Wait(TimeSpan.FromSeconds(20)) || !read.Result)
        {
            throw new InvalidOperationException($"sqlite3 did not run: {statements}");
        }
    }

    /// <summary>SIGKILL: the session dies mid-transaction, as a writer does in a power cut or an OOM kill.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(10_000))
            {
                _process.Kill();
            }
        }

        _process.Dispose();
    }
}
