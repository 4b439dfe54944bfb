using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace TrafficMonitor.Tests.Components;

/// <summary>
/// A <see cref="DebianRoot"/> booted with systemd as its PID 1 (systemd-nspawn --boot), with its own journald, D-Bus
/// and logind: units start, reload and stop there as on a real machine. The container's network is its own, holding
/// only lo (--private-network: the host's interfaces are never touched). It is registered with no machine manager
/// and makes no scope unit (--register=no --keep-unit), since this host's PID 1 is not systemd. Commands run inside
/// with nsenter into the namespaces of the container's PID 1, once that is known to be systemd in a PID and mount
/// namespace of its own. Disposing stops the nspawn process, which halts the container's systemd and nothing else.
/// </summary>
public sealed class BootedRoot : IDisposable
{
    private static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The namespaces the container's PID 1 must not share with this process before any command enters them.</summary>
    private static readonly string[] OwnNamespaces = ["pid", "mnt"];

    private readonly Process _nspawn;
    private readonly StringBuilder _console = new();
    private readonly string _init = string.Empty;

    public BootedRoot(DebianRoot root)
    {
        var start = new ProcessStartInfo("systemd-nspawn")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments = ["--quiet", "--directory", root.Path, "--machine", "tm-test-" + Guid.NewGuid().ToString("N")[..8],
            "--boot", "--private-network", "--register=no", "--keep-unit", "--console=read-only"];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _nspawn = Process.Start(start)!;
        _nspawn.OutputDataReceived += (_, e) => Record(e.Data);
        _nspawn.ErrorDataReceived += (_, e) => Record(e.Data);
        _nspawn.BeginOutputReadLine();
        _nspawn.BeginErrorReadLine();
        try
        {
            var deadline = Stopwatch.StartNew();
            while ((_init = ContainerInit()).Length == 0)
            {
                Wait(deadline, "systemd to start as the container's PID 1");
            }

            // Startup done ("running"), or done with a unit failed that this test does not need ("degraded").
            while (Run("systemctl", "is-system-running", "--wait").Output.Trim() is not ("running" or "degraded"))
            {
                Wait(deadline, "the container's boot to finish");
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>What nspawn and the container's console printed so far (the boot, then the halt).</summary>
    public string Console
    {
        get
        {
            lock (_console)
            {
                return _console.ToString();
            }
        }
    }

    /// <summary>Runs a command inside the booted container, with a clean environment and the root's own PATH.</summary>
    public (int ExitCode, string Output, string Error) Run(params string[] command) =>
        _nspawn.HasExited
            ? throw new InvalidOperationException($"the container is down:\n{Console}")
            : Programs.TryRun("nsenter", ["--target", _init, "--all", "--root", "--wd",
                "env", "-i", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", .. command]);

    public void Dispose()
    {
        if (!_nspawn.HasExited)
        {
            // nspawn passes SIGTERM on as the container's request to halt (SIGRTMIN+3 to its systemd).
            Programs.TryRun("kill", "-TERM", _nspawn.Id.ToString(CultureInfo.InvariantCulture));
            if (!_nspawn.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                _nspawn.Kill(entireProcessTree: true);
                _nspawn.WaitForExit();
            }
        }

        _nspawn.Dispose();
    }

    /// <summary>The container's PID 1 as this host numbers it, once it is systemd in namespaces other than this process's.</summary>
    private string ContainerInit()
    {
        var children = Programs.TryRun("pgrep", "--parent", _nspawn.Id.ToString(CultureInfo.InvariantCulture)).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var pid in children)
        {
            try
            {
                if (File.ReadAllText($"/proc/{pid}/comm").Trim() == "systemd"
                    && OwnNamespaces.All(ns => ReadLink($"/proc/{pid}/ns/{ns}") != ReadLink($"/proc/self/ns/{ns}")))
                {
                    return pid;
                }
            }
            catch (IOException)
            {
                // Gone in between (nspawn's own helper child): look again.
            }
        }

        return string.Empty;
    }

    private static string? ReadLink(string path) => new FileInfo(path).LinkTarget;

    private void Wait(Stopwatch deadline, string what)
    {
        if (_nspawn.HasExited || deadline.Elapsed > BootTimeout)
        {
            throw new InvalidOperationException($"waited {deadline.Elapsed.TotalSeconds:0}s for {what} (nspawn {(_nspawn.HasExited ? $"exited {_nspawn.ExitCode}" : "running")}):\n{Console}");
        }

        Thread.Sleep(200);
    }

    private void Record(string? line)
    {
        if (line is not null)
        {
            lock (_console)
            {
                _console.Append(line).Append('\n');
            }
        }
    }
}
