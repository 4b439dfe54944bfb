using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TrafficMonitor.Benchmarks;
using TrafficMonitor.Configuration;
using TrafficMonitor.Hosting;
using TrafficMonitor.Monitoring;
using TrafficMonitor.Platform;
using TrafficMonitor.Quota;
using TrafficMonitor.Tests.Components;
using TrafficMonitor.Usage.SystemCounters;
using TrafficMonitor.Usage.SystemCounters.Linux;
using TrafficMonitor.Usage.VnStat;

[assembly: SupportedOSPlatform("linux")]

var command = args.Length > 0 ? args[0] : "all";
var option = (string name, double fallback) =>
    Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? double.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;

Console.WriteLine($"# machine: {Environment.ProcessorCount} cores, {Bench.CpuModel()}, kernel {Environment.OSVersion.Version}, .NET {Environment.Version}");
Console.WriteLine($"# date: {TimeProvider.System.GetUtcNow():yyyy-MM-dd HH:mm} UTC");
switch (command)
{
    case "overshoot":
        Overshoot.Run((int)option("--runs", 5));
        break;
    case "check-cpu":
        await CheckCost.RunAsync();
        break;
    case "idle":
        Idle.Run(option("--minutes", 5), Array.IndexOf(args, "--baseline-dll") is var b and >= 0 ? args[b + 1] : Bench.MonitorDll, option("--warmup", 3));
        break;
    case "startup":
        Startup.Run(Path.GetFullPath(args[Array.IndexOf(args, "--binary") + 1]), Array.IndexOf(args, "--baseline-binary") is var sb and >= 0 ? Path.GetFullPath(args[sb + 1]) : null, (int)option("--runs", 20));
        break;
    case "native-idle":
        NativeIdle.Run(Path.GetFullPath(args[Array.IndexOf(args, "--binary") + 1]), Array.IndexOf(args, "--baseline-binary") is var ib and >= 0 ? Path.GetFullPath(args[ib + 1]) : null, option("--minutes", 5), option("--warmup", 1));
        break;
    default:
        Console.Error.WriteLine("usage: overshoot [--runs N] | check-cpu | idle [--minutes M] [--warmup M] [--baseline-dll PATH]"
            + " | startup --binary PATH [--baseline-binary PATH] [--runs N] | native-idle --binary PATH [--baseline-binary PATH] [--minutes M] [--warmup M]");
        return 64;
}

return 0;

namespace TrafficMonitor.Benchmarks
{
    internal static class Bench
    {
        public static string MonitorDll => Path.Combine(AppContext.BaseDirectory, "traffic-monitor.dll");

        public static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }

        public static string CpuModel() =>
            File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";

        /// <summary>utime + stime of a process, in seconds (clock ticks of 1/100 s).</summary>
        public static double CpuSeconds(int pid, bool children = false)
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // Fields after the name: state is [0]; utime [11], stime [12], cutime [13], cstime [14].
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            if (children)
            {
                ticks += long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
            }

            return ticks / 100.0;
        }

        public static (long Rx, long Tx) Counters(int pid, string name)
        {
            var sample = LinuxInterfaceCounters.ParseNetDev(File.ReadAllText($"/proc/{pid}/net/dev")).Single(s => s.Name == name);
            return ((long)sample.Rx, (long)sample.Tx);
        }

        public static string Settings(string stateDir, string monitor, string? shutdownScript, string extra = "", string limit = "1 GB", string interval = "1 GB") => $"""
            thresholds:
              total_limit: "{limit}"
              interval: "{interval}"
              critical_percentage: 90
            monitor:
              state_dir: "{stateDir}"
            {string.Join("\n", monitor.Split('\n').Select(l => "  " + l))}
            actions:
              shutdown:
            {(shutdownScript is null ? "    enabled: false" : $"    command: [\"{shutdownScript}\"]")}
            {extra}
            """;

        public static Process StartMonitor(string ns, string config, string? dll = null) =>
            StartInNamespace(ns, "dotnet", dll ?? MonitorDll, "--config", config, "run");

        /// <summary>Starts a program in the namespace, its output read and dropped. <c>ip netns exec</c> execs it, so the PID is the program's own.</summary>
        public static Process StartInNamespace(string ns, params string[] line)
        {
            var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "netns", "exec", ns }.Concat(line))
            {
                start.ArgumentList.Add(a);
            }

            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return process;
        }

        public static void WaitFor(Func<bool> condition, TimeSpan timeout, string what)
        {
            var clock = Stopwatch.StartNew();
            while (!condition())
            {
                if (clock.Elapsed > timeout)
                {
                    throw new TimeoutException($"timed out waiting for {what}");
                }

                Thread.Sleep(5);
            }
        }
    }

    /// <summary>
    /// Bytes past the critical point when the critical action starts, at full veth speed. The action is a recorder
    /// that copies /proc/net/dev (the namespace's counters) the moment it runs.
    /// </summary>
    internal static class Overshoot
    {
        private const long Critical = 900_000_000;

        public static void Run(int runs)
        {
            var variants = new (string Name, string Monitor)[]
            {
                ("default settings (check_interval 60s, fast checks)", ""),
                ("baseline: fixed 1 s checks (fast_checks: false)", "check_interval: 1s\nfast_checks: false"),
            };
            var results = variants.ToDictionary(v => v.Name, _ => new List<(double Bytes, double Rate)>());
            for (var run = 0; run < runs; run++)
            {
                // Side by side: the variants alternate, so drift in the machine's speed hits both alike.
                foreach (var (name, monitor) in variants)
                {
                    var result = Once(monitor);
                    results[name].Add(result);
                    Console.WriteLine($"  run {run + 1} {name}: overshoot {result.Bytes / 1e6:F1} MB at {result.Rate * 8 / 1e9:F2} Gbit/s = {result.Bytes / result.Rate:F3} s");
                }
            }

            Console.WriteLine();
            Console.WriteLine("| variant | median overshoot (MB) | median rate (Gbit/s) | median overshoot (s of traffic) |");
            Console.WriteLine("|---|---|---|---|");
            var medians = new List<double>();
            foreach (var (name, list) in results)
            {
                var seconds = Bench.Median(list.Select(r => r.Bytes / r.Rate));
                medians.Add(seconds);
                Console.WriteLine($"| {name} | {Bench.Median(list.Select(r => r.Bytes)) / 1e6:F1} | {Bench.Median(list.Select(r => r.Rate)) * 8 / 1e9:F2} | {seconds:F3} |");
            }

            Console.WriteLine($"ratio default/baseline (seconds of traffic): {medians[0] / medians[1]:F3}");
        }

        private static (double Bytes, double Rate) Once(string monitorLines)
        {
            using var net = new NetworkNamespacePair();
            using var dir = new TempDirectory();
            var atCall = dir.Combine("at-call");
            var recorder = dir.Write("record", $"#!/bin/sh\ncat /proc/net/dev > '{atCall}.tmp'\nmv '{atCall}.tmp' '{atCall}'\n");
            File.SetUnixFileMode(recorder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var config = dir.Write("settings.yaml", Bench.Settings(
                dir.Combine("state"), $"provider: system\ninterfaces: [{net.InterfaceA}]\n{monitorLines}", recorder));
            using var monitor = Bench.StartMonitor(net.NamespaceA, config);
            try
            {
                Bench.WaitFor(() => File.Exists(dir.Combine("state", LedgerStore.FileName)), TimeSpan.FromSeconds(30), "the monitor's first check");
                Thread.Sleep(500);
                var before = Bench.Counters(monitor.Id, net.InterfaceA);
                using var sending = net.StartSending(seconds: 4);
                Bench.WaitFor(() => File.Exists(atCall), TimeSpan.FromSeconds(30), "the critical action");
                // The rate: the counters over half a second while iperf3 still pushes.
                var (r1, t1) = (Bench.Counters(monitor.Id, net.InterfaceA), Stopwatch.GetTimestamp());
                Thread.Sleep(500);
                var (r2, t2) = (Bench.Counters(monitor.Id, net.InterfaceA), Stopwatch.GetTimestamp());
                var rate = (r2.Rx + r2.Tx - r1.Rx - r1.Tx) / Stopwatch.GetElapsedTime(t1, t2).TotalSeconds;
                var call = LinuxInterfaceCounters.ParseNetDev(File.ReadAllText(atCall)).Single(s => s.Name == net.InterfaceA);
                var counted = (long)call.Rx + (long)call.Tx - before.Rx - before.Tx;
                sending.WaitForExit(15_000);
                return (counted - Critical, rate);
            }
            finally
            {
                monitor.Kill();
                monitor.WaitForExit(5000);
            }
        }
    }

    /// <summary>The cost of one check: the system provider's reading alone, a whole check with it, and vnStat's reading beside them.</summary>
    internal static class CheckCost
    {
        public static async Task RunAsync()
        {
            using var dir = new TempDirectory();
            var period = BillingPeriod.Containing(TimeProvider.System.GetLocalNow(), 1);
            var name = LinuxInterfaceCounters.ParseNetDev(File.ReadAllText(LinuxInterfaceCounters.NetDevPath)).First(s => s.Name != "lo").Name;
            var monitor = new MonitorOptions { StateDir = dir.Combine("state"), Interfaces = [name] };
            using var system = new SystemUsageSource(
                new LinuxInterfaceCounters(new OSFileSystem(), TimeProvider.System),
                new LedgerStore(monitor.StateDir, TimeProvider.System, NullLogger<LedgerStore>.Instance),
                monitor, RunMode.Live, TimeProvider.System, NullLogger<SystemUsageSource>.Instance, HostPlatform.Linux);
            Measure("system provider: one reading", 20_000, () => system.Read(period));

            var settings = ConfigLoader.Parse(Bench.Settings(dir.Combine("check-state"), $"provider: system\ninterfaces: [{name}]", null), "bench.yaml", dir.Path);
            var services = new ServiceCollection()
                .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
                .AddTrafficMonitor(settings, RunMode.Live)
                .BuildServiceProvider();
            await using (services)
            {
                var check = services.GetRequiredService<QuotaCheck>();
                Measure("system provider: a whole check (read, policy, state)", 20_000, () => check.RunAsync(CancellationToken.None).GetAwaiter().GetResult());
            }

            Directory.CreateDirectory(dir.Combine("db"));
            var vnstatConfig = dir.Write("vnstat.conf", $"DatabaseDir \"{dir.Combine("db")}\"\nUseLogging 0\n");
            Programs.Run("vnstatd", "--initdb", "--config", vnstatConfig);
            Programs.Run("vnstat", "--config", vnstatConfig, "--add", "-i", name, "--force");
            var vnstat = new VnStatUsageSource(
                new VnStatOptions { Config = vnstatConfig }, monitor, new TrafficMonitor.Platform.ProcessRunner(), TimeProvider.System,
                NullLogger<VnStatUsageSource>.Instance, HostPlatform.Linux);
            Measure("baseline: vnStat provider: one reading (spawns vnstat)", 100, () =>
            {
                try
                {
                    vnstat.ReadAsync(period, CancellationToken.None).GetAwaiter().GetResult();
                }
                catch (TrafficMonitor.Usage.UsageUnavailableException)
                {
                    // A database with no traffic rows yet: the cost of asking is what is measured.
                }
            });
        }

        private static void Measure(string what, int iterations, Action action)
        {
            for (var i = 0; i < Math.Min(iterations / 10, 2000); i++)
            {
                action();
            }

            var wall = new List<double>();
            var cpu = new List<double>();
            for (var batch = 0; batch < 5; batch++)
            {
                var cpuBefore = Bench.CpuSeconds(Environment.ProcessId, children: true);
                var start = Stopwatch.GetTimestamp();
                for (var i = 0; i < iterations; i++)
                {
                    action();
                }

                wall.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds / iterations);
                cpu.Add((Bench.CpuSeconds(Environment.ProcessId, children: true) - cpuBefore) * 1e6 / iterations);
            }

            Console.WriteLine($"| {what} | {iterations} x 5 | {Bench.Median(wall):F1} µs | {Bench.Median(cpu):F1} µs |");
        }
    }

    /// <summary>
    /// The monitor's CPU time while nothing happens, three daemons side by side in one idle namespace: the system
    /// provider with a 2000 GB quota (thresholds far: checks every minute), the system provider with the 1 GB quota
    /// of the overshoot benchmark (a 10 Gbit/s link is always less than a second from its critical point, so it
    /// checks several times a second: the worst case), and a baseline: the vnStat provider of another build
    /// (--baseline-dll, e.g. the commit before the system provider) with the 2000 GB quota.
    /// </summary>
    internal static class Idle
    {
        public static void Run(double minutes, string baselineDll, double warmupMinutes)
        {
            using var net = new NetworkNamespacePair();
            using var dir = new TempDirectory();
            Directory.CreateDirectory(dir.Combine("db"));
            var vnstatConfig = dir.Write("vnstat.conf", $"DatabaseDir \"{dir.Combine("db")}\"\nUseLogging 0\n");
            Programs.Run("vnstatd", "--initdb", "--config", vnstatConfig);
            Programs.Run("vnstat", "--config", vnstatConfig, "--add", "-i", net.InterfaceA, "--force");
            var now = TimeProvider.System.GetLocalNow();
            Programs.Run("sqlite3", dir.Combine("db", "vnstat.db"),
                $"insert into month(interface,date,rx,tx) values (1,'{now:yyyy-MM}-01',1000,1000); update interface set updated='{now:yyyy-MM-dd HH:mm:ss}';");
            string Config(string name, string provider, string limit, string extra = "") => dir.Write($"{name}.yaml",
                Bench.Settings(dir.Combine(name), $"provider: {provider}\ninterfaces: [{net.InterfaceA}]", null, extra, limit, limit == "1 GB" ? "1 GB" : "100 GB"));
            var daemons = new (string Name, Process Process)[]
            {
                ("system provider, 2000 GB quota", Bench.StartMonitor(net.NamespaceA, Config("typical", "system", "2000 GB"))),
                ("system provider, 1 GB quota (always near the critical point)", Bench.StartMonitor(net.NamespaceA, Config("near", "system", "1 GB"))),
                ($"baseline: vnStat provider, 2000 GB quota ({baselineDll})",
                    Bench.StartMonitor(net.NamespaceA, Config("vnstat", "vnstat", "2000 GB", $"vnstat:\n  config: \"{vnstatConfig}\""), baselineDll)),
            };
            try
            {
                // Past start-up and tiered JIT recompiling the hot paths: what is left is the steady cost.
                Thread.Sleep(TimeSpan.FromMinutes(warmupMinutes));
                var before = daemons.Select(d => Bench.CpuSeconds(d.Process.Id, children: true)).ToArray();
                Thread.Sleep(TimeSpan.FromMinutes(minutes));
                var after = daemons.Select(d => Bench.CpuSeconds(d.Process.Id, children: true)).ToArray();
                Console.WriteLine($"idle: {warmupMinutes} min warm-up, {minutes} min measured, scaled to 1 h");
                Console.WriteLine("| daemon | CPU per hour |");
                Console.WriteLine("|---|---|");
                for (var i = 0; i < daemons.Length; i++)
                {
                    Console.WriteLine($"| {daemons[i].Name} | {(after[i] - before[i]) * 60 / minutes:F2} s |");
                }

                Console.WriteLine("(children's CPU counts once they exit: the vnstat runs are included)");
            }
            finally
            {
                foreach (var (_, process) in daemons)
                {
                    process.Kill();
                    process.WaitForExit(5000);
                    process.Dispose();
                }
            }
        }
    }
}
