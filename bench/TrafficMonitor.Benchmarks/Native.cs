using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Benchmarks;

/// <summary>
/// Start-up of the native binary: wall and CPU time of short commands, each run to completion, the programs
/// alternating run by run (side by side, so the machine's drift hits all alike), beside <c>vnstat --json m</c>.
/// CPU is the child's user + system time from getrusage(RUSAGE_CHILDREN), in microseconds.
/// </summary>
internal static partial class Startup
{
    public static void Run(string binary, string? baseline, int runs)
    {
        using var dir = new TempDirectory();
        var vnstatConfig = VnStatFixture.Create(dir, "eth0");
        var system = dir.Write("system.yaml", Bench.Settings(dir.Combine("state-system"), "provider: system", "/bin/true", limit: "2000 GB", interval: "100 GB"));
        var vnstat = dir.Write("vnstat.yaml", Bench.Settings(
            dir.Combine("state-vnstat"), "provider: vnstat\ninterfaces: [eth0]", "/bin/true", $"vnstat:\n  config: \"{vnstatConfig}\"", "2000 GB", "100 GB"));
        using var webhook = new WebhookServer();
        var commands = new List<(string Name, string[] Line)>
        {
            ("baseline: vnstat --json m", ["vnstat", "--config", vnstatConfig, "--json", "m"]),
        };
        foreach (var (label, path) in new[] { ("", binary), ("baseline build: ", baseline) }.Where(b => b.Item2 is not null))
        {
            // As status usually finds it: the state, ledger and outbox a running monitor keeps (each build's own, from its
            // first check), which has sent its alerts: the stages up to today's usage and the critical point (at 9 MB).
            var monitored = dir.Write($"monitored{commands.Count}.yaml", Bench.Settings(
                dir.Combine($"state-monitored{commands.Count}"), "provider: system", "/bin/true",
                $"webhooks:\n  - url: \"{webhook.Url()}\"", limit: "10 MB", interval: "1 MB"));
            Once([path!, "--config", monitored, "run", "--once"]);
            commands.Add(($"{label}status (system provider)", [path!, "--config", system, "status"]));
            commands.Add(($"{label}status (system provider, the monitor's state)", [path!, "--config", monitored, "status"]));
            commands.Add(($"{label}status (vnStat provider)", [path!, "--config", vnstat, "status"]));
            commands.Add(($"{label}--help", [path!, "--help"]));
            commands.Add(($"{label}--version", [path!, "--version"]));
            commands.Add(($"{label}check-config", [path!, "--config", system, "check-config"]));
        }

        foreach (var (_, line) in commands)
        {
            Once(line); // warm the page cache: what is measured is a warm start, as a shell user sees it
        }

        var wall = commands.ToDictionary(c => c.Name, _ => new List<double>());
        var cpu = commands.ToDictionary(c => c.Name, _ => new List<double>());
        for (var run = 0; run < runs; run++)
        {
            foreach (var (name, line) in commands)
            {
                var (w, c) = Once(line);
                wall[name].Add(w);
                cpu[name].Add(c);
            }
        }

        Console.WriteLine($"start-up: {runs} runs each, alternating; medians");
        Console.WriteLine("| command | wall | CPU (user + sys) | wall / vnstat --json m |");
        Console.WriteLine("|---|---|---|---|");
        var reference = Bench.Median(wall[commands[0].Name]);
        foreach (var (name, _) in commands)
        {
            var median = Bench.Median(wall[name]);
            Console.WriteLine($"| {name} | {median:F1} ms | {Bench.Median(cpu[name]):F1} ms | {median / reference:F2} |");
        }
    }

    private static (double WallMs, double CpuMs) Once(string[] line)
    {
        var start = new ProcessStartInfo(line[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in line.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        var cpuBefore = ChildrenCpuMicroseconds();
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        var wall = clock.Elapsed.TotalMilliseconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', line)} exited {process.ExitCode}: {error}{output.Result}");
        }

        return (wall, (ChildrenCpuMicroseconds() - cpuBefore) / 1000.0);
    }

    /// <summary>User + system time of every child this process has waited for, in microseconds.</summary>
    public static long ChildrenCpuMicroseconds()
    {
        if (GetRusage(-1 /* RUSAGE_CHILDREN */, out var usage) != 0)
        {
            throw new InvalidOperationException("getrusage failed");
        }

        return (usage.UserSeconds + usage.SystemSeconds) * 1_000_000 + usage.UserMicroseconds + usage.SystemMicroseconds;
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetRusage(int who, out RUsage usage);

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        private readonly long _rest0, _rest1, _rest2, _rest3, _rest4, _rest5, _rest6, _rest7, _rest8, _rest9, _rest10, _rest11, _rest12, _rest13;
    }
}

/// <summary>
/// The native daemon at rest, side by side in one idle namespace with vnstatd and a Python process of the original
/// tool's kind (python3 with yaml, smtplib, json and subprocess imported, sleeping between checks): resident memory
/// (anonymous and file-backed apart, from /proc/PID/smaps_rollup) after the warm-up, and CPU over the measured minutes,
/// scaled to an hour. The daemons run with and without a webhook configured (an HTTPS-capable channel), past their
/// critical point with their messages delivered, and checking every second (a month of checks in minutes).
/// </summary>
internal static class NativeIdle
{
    public static void Run(string binary, string? baseline, double minutes, double warmupMinutes)
    {
        using var net = new NetworkNamespacePair();
        using var dir = new TempDirectory();
        var vnstatConfig = VnStatFixture.Create(dir, net.InterfaceA);
        string Config(string name, string extra = "", string monitor = "", string limit = "2000 GB", string interval = "100 GB") =>
            dir.Write($"{name}.yaml", Bench.Settings(
                dir.Combine(name), $"provider: system\ninterfaces: [{net.InterfaceA}]\n{monitor}", "/bin/true", extra, limit, interval));
        const string Webhook = "webhooks:\n  - url: http://127.0.0.1:9/hook\n    format: json";
        // A monitor that has alerted: 5 MB went over the link before it started, past its 4 MB quota's stages and
        // critical point, and its messages went to a local server (in the namespace) that answers 200.
        net.Send(5_000_000);
        var hook = dir.Write("hook.py", """
            import http.server
            class Hook(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    self.rfile.read(int(self.headers.get('Content-Length', 0)))
                    self.send_response(200)
                    self.send_header('Content-Length', '0')
                    self.end_headers()
                def log_message(self, *args):
                    pass
            http.server.HTTPServer(('127.0.0.1', 8765), Hook).serve_forever()
            """);
        var hookServer = Bench.StartInNamespace(net.NamespaceA, "python3", hook);
        Thread.Sleep(1000);
        const string Delivered = "webhooks:\n  - url: http://127.0.0.1:8765/hook\n    format: json";
        string Alerted(string name) => Config(name, Delivered, limit: "4 MB", interval: "1 MB");
        // A month of checks in minutes: every second instead of every minute.
        string Fast(string name) => Config(name, monitor: "check_interval: 1s");
        var python = dir.Write("original.py", """
            import json, logging, smtplib, subprocess, time, yaml
            from email.mime.text import MIMEText
            logging.basicConfig(level=logging.INFO)
            while True:
                time.sleep(60)
            """);
        // Each daemon runs its own copy of the binary, as on a server with one monitor.
        string Own(string path, string name) => InstalledCopy.Make(path, dir.Combine($"{name}-traffic-monitor"));

        var daemons = new List<(string Name, Process Process)>
        {
            ("traffic-monitor run (native, system provider)", Bench.StartInNamespace(net.NamespaceA, Own(binary, "plain"), "--config", Config("plain"), "run")),
            ("traffic-monitor run (native, system provider, a webhook configured)", Bench.StartInNamespace(net.NamespaceA, Own(binary, "hook"), "--config", Config("hook", Webhook), "run")),
            ("traffic-monitor run (native, past the critical point, its messages delivered)", Bench.StartInNamespace(net.NamespaceA, Own(binary, "alerted"), "--config", Alerted("alerted"), "run")),
            ("traffic-monitor run (native, a check every second: CPU per hour is 60 hours' worth)", Bench.StartInNamespace(net.NamespaceA, Own(binary, "fast"), "--config", Fast("fast"), "run")),
            ("vnstatd", Bench.StartInNamespace(net.NamespaceA, "vnstatd", "--nodaemon", "--config", vnstatConfig)),
            ("python3 (the original's kind: yaml, smtplib, subprocess imported)", Bench.StartInNamespace(net.NamespaceA, "python3", python)),
        };
        if (baseline is not null)
        {
            daemons.Add(($"baseline build: run (system provider)", Bench.StartInNamespace(net.NamespaceA, Own(baseline, "base-plain"), "--config", Config("base-plain"), "run")));
            daemons.Add(($"baseline build: run (a webhook configured)", Bench.StartInNamespace(net.NamespaceA, Own(baseline, "base-hook"), "--config", Config("base-hook", Webhook), "run")));
            daemons.Add(($"baseline build: run (past the critical point, its messages delivered)", Bench.StartInNamespace(net.NamespaceA, Own(baseline, "base-alerted"), "--config", Alerted("base-alerted"), "run")));
            daemons.Add(($"baseline build: run (a check every second)", Bench.StartInNamespace(net.NamespaceA, Own(baseline, "base-fast"), "--config", Fast("base-fast"), "run")));
        }

        try
        {
            Thread.Sleep(TimeSpan.FromMinutes(warmupMinutes));
            var before = daemons.Select(d => Bench.CpuSeconds(d.Process.Id, children: true)).ToArray();
            Thread.Sleep(TimeSpan.FromMinutes(minutes));
            var after = daemons.Select(d => Bench.CpuSeconds(d.Process.Id, children: true)).ToArray();
            Console.WriteLine($"native idle: {warmupMinutes} min warm-up, {minutes} min measured, CPU scaled to 1 h; memory at the end");
            Console.WriteLine($"binary: {binary} ({new FileInfo(binary).Length / 1024.0 / 1024.0:F2} MiB)");
            Console.WriteLine("| process | RSS | anonymous | file-backed | CPU per hour |");
            Console.WriteLine("|---|---|---|---|---|");
            for (var i = 0; i < daemons.Count; i++)
            {
                var (anon, file) = Memory(daemons[i].Process.Id);
                Console.WriteLine($"| {daemons[i].Name} | {(anon + file) / 1024.0:F1} MiB | {anon / 1024.0:F1} MiB | {file / 1024.0:F1} MiB | {(after[i] - before[i]) * 60 / minutes:F2} s |");
            }
        }
        finally
        {
            foreach (var process in daemons.Select(d => d.Process).Append(hookServer))
            {
                process.Kill();
                process.WaitForExit(5000);
                process.Dispose();
            }
        }
    }

    /// <summary>
    /// Resident anonymous and file-backed memory in KiB, from <c>/proc/PID/smaps_rollup</c> (exact sums over the
    /// mappings, where <c>/proc/PID/status</c>'s counters are per-CPU estimates): file-backed is Rss minus Anonymous.
    /// </summary>
    private static (long Anonymous, long File) Memory(int pid)
    {
        var fields = File.ReadLines($"/proc/{pid}/smaps_rollup")
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2 && p[0] is "Rss" or "Anonymous")
            .ToDictionary(p => p[0], p => long.Parse(p[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture));
        return (fields["Anonymous"], fields["Rss"] - fields["Anonymous"]);
    }
}

/// <summary>A vnStat database of its own (never the host's) with one interface and a little traffic this month.</summary>
internal static class VnStatFixture
{
    public static string Create(TempDirectory dir, string interfaceName)
    {
        Directory.CreateDirectory(dir.Combine("db"));
        var config = dir.Write("vnstat.conf", $"DatabaseDir \"{dir.Combine("db")}\"\nUseLogging 0\nPidFile \"{dir.Combine("vnstatd.pid")}\"\n");
        Programs.Run("vnstatd", "--initdb", "--config", config);
        Programs.Run("vnstat", "--config", config, "--add", "-i", interfaceName, "--force");
        var now = TimeProvider.System.GetLocalNow();
        Programs.Run("sqlite3", dir.Combine("db", "vnstat.db"),
            $"insert into month(interface,date,rx,tx) values (1,'{now:yyyy-MM}-01',1000,1000); insert into day(interface,date,rx,tx) values (1,'{now:yyyy-MM-dd}',1000,1000); update interface set updated='{now:yyyy-MM-dd HH:mm:ss}';");
        return config;
    }
}
