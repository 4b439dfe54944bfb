using System.Diagnostics;
using System.Globalization;

namespace TrafficMonitor.Tests.Components;

/// <summary>
/// Two network namespaces the test creates (<see cref="NamespaceA"/>, <see cref="NamespaceB"/>) joined by a veth
/// pair with one end in each, 198.18.0.1/30 and 198.18.0.2/30 (benchmarking space, RFC 2544). Nothing touches the
/// host's own namespace: the pair is created inside A. IPv6 is off so the counters move only with the test's traffic.
/// Disposing kills what runs in the namespaces and deletes them, which deletes the pair.
/// </summary>
public sealed class NetworkNamespacePair : IDisposable
{
    public const string AddressA = "198.18.0.1";
    public const string AddressB = "198.18.0.2";

    private readonly List<Process> _processes = [];

    public NetworkNamespacePair(string interfaceA = "tmeth0", string interfaceB = "tmeth1")
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        NamespaceA = $"tm-{id}-a";
        NamespaceB = $"tm-{id}-b";
        InterfaceA = interfaceA;
        InterfaceB = interfaceB;
        try
        {
            Programs.Run("ip", "netns", "add", NamespaceA);
            Programs.Run("ip", "netns", "add", NamespaceB);
            foreach (var ns in new[] { NamespaceA, NamespaceB })
            {
                Exec(ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
                Exec(ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
                Programs.Run("ip", "-n", ns, "link", "set", "lo", "up");
            }

            CreateLink();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string NamespaceA { get; }

    public string NamespaceB { get; }

    public string InterfaceA { get; }

    public string InterfaceB { get; }

    public static bool Available => Environment.IsPrivilegedProcess && Programs.Exists("ip") && Programs.Exists("iperf3");

    /// <summary>(Re-)creates the veth pair, counters at zero.</summary>
    public void CreateLink()
    {
        Programs.Run("ip", "-n", NamespaceA, "link", "add", InterfaceA, "type", "veth", "peer", "name", InterfaceB, "netns", NamespaceB);
        Programs.Run("ip", "-n", NamespaceA, "addr", "add", AddressA + "/30", "dev", InterfaceA);
        Programs.Run("ip", "-n", NamespaceB, "addr", "add", AddressB + "/30", "dev", InterfaceB);
        Programs.Run("ip", "-n", NamespaceA, "link", "set", InterfaceA, "up");
        Programs.Run("ip", "-n", NamespaceB, "link", "set", InterfaceB, "up");
    }

    /// <summary>Deletes the pair (both ends): the kernel forgets its counters.</summary>
    public void DeleteLink() => Programs.Run("ip", "-n", NamespaceA, "link", "del", InterfaceA);

    public static string Exec(string ns, params string[] command) => Programs.Run("ip", ["netns", "exec", ns, .. command]);

    /// <summary>The kernel's own byte counters of an interface in a namespace, read at this moment.</summary>
    public static (long Rx, long Tx) Counters(string ns, string name)
    {
        var text = Exec(ns, "cat", $"/sys/class/net/{name}/statistics/rx_bytes", $"/sys/class/net/{name}/statistics/tx_bytes");
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(lines[0], CultureInfo.InvariantCulture), long.Parse(lines[1], CultureInfo.InvariantCulture));
    }

    public (long Rx, long Tx) CountersA => Counters(NamespaceA, InterfaceA);

    /// <summary>Sends exactly <paramref name="bytes"/> of TCP payload from A to B with iperf3 (plus the headers and ACKs it takes).</summary>
    public void Send(long bytes)
    {
        using var server = StartIperfServer();
        Exec(NamespaceA, "iperf3", "-c", AddressB, "-n", bytes.ToString(CultureInfo.InvariantCulture), "--connect-timeout", "5000");
        server.WaitForExit(10_000);
        WaitForQuiet();
    }

    /// <summary>
    /// Waits until A's counters stop moving: iperf3 can finish while the tail of its data is still in socket
    /// buffers, and a test comparing with the kernel must compare with the final numbers.
    /// </summary>
    public void WaitForQuiet()
    {
        var last = CountersA;
        for (var i = 0; i < 100; i++)
        {
            Thread.Sleep(100);
            var now = CountersA;
            if (now == last)
            {
                return;
            }

            last = now;
        }
    }

    /// <summary>Starts sending from A to B at full speed for <paramref name="seconds"/>; the returned process ends when done.</summary>
    public Process StartSending(double seconds)
    {
        var server = StartIperfServer();
        _processes.Add(server);
        return Start(NamespaceA, "iperf3", "-c", AddressB, "-t", seconds.ToString(CultureInfo.InvariantCulture), "--connect-timeout", "5000");
    }

    /// <summary>Starts a program in a namespace; it is killed on dispose if still running.</summary>
    public Process Start(string ns, params string[] command)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "netns", "exec", ns }.Concat(command))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        return process;
    }

    /// <summary>A process that sleeps in namespace A: its <c>/proc/PID/net/dev</c> shows A's counters to code running here.</summary>
    public Process StartSleeper(string? ns = null)
    {
        var sleeper = Start(ns ?? NamespaceA, "sleep", "3600");
        // Until ip has entered the namespace and exec'd sleep, the pid still shows the host's namespace.
        var deadline = Stopwatch.StartNew();
        while (File.ReadAllText($"/proc/{sleeper.Id}/comm").Trim() != "sleep")
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new InvalidOperationException("the sleeper did not start in the namespace");
            }

            Thread.Sleep(5);
        }

        return sleeper;
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
        }

        foreach (var ns in new[] { NamespaceA, NamespaceB })
        {
            Programs.TryRun("ip", "netns", "del", ns);
        }
    }

    private Process StartIperfServer()
    {
        var server = Start(NamespaceB, "iperf3", "-s", "-1", "-B", AddressB);
        var deadline = Stopwatch.StartNew();
        while (!Exec(NamespaceB, "ss", "-ltn").Contains(AddressB + ":5201", StringComparison.Ordinal))
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(10) || server.HasExited)
            {
                throw new InvalidOperationException("iperf3's server did not start listening");
            }

            Thread.Sleep(20);
        }

        return server;
    }
}
