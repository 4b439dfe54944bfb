using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using TrafficMonitor.Tests.Cli;
using TrafficMonitor.Tests.Components;
using Xunit.Abstractions;

namespace TrafficMonitor.Tests.Ladder;

/// <summary>
/// The README's ladder as a new user tries it: its rules exactly as the README writes them, the real daemon
/// (<c>run</c>, as root) inside namespace A counting A's veth end (<c>monitor.provider: system</c>), real iperf3 traffic
/// from B to servers in A that run as nobody (a root process's traffic would pass the block as the monitor's own), and
/// every tc, ip and nft command inside A. Each step engages at its point, SSH (port 22 in A) stays reachable and at line
/// rate, and each way out of the ladder (revert-all, a new period) leaves A's ruleset, qdiscs and links exactly as before.
/// </summary>
[Collection(LineRateTests.Name)]
public sealed partial class LadderNamespaceTests(ITestOutputHelper output) : IDisposable
{
    private const long Limit = 2_000_000_000;
    private const double ThrottleBitsPerSecond = 10_000_000;
    private const int SshPort = 22;
    private const int OtherPort = 5201;

    private readonly NetworkNamespacePair _net = new();
    private readonly TempDirectory _dir = new();

    public void Dispose()
    {
        _net.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void Run_ReadmeLadder_EachStepEngagesSshStaysReachableAndRevertAllOrANewPeriodLeaveNoTrace()
    {
        Assert.Equal(
            ["- {at: \"80%\", do: throttle, rate: \"10 Mbit/s\"}   # both directions, SSH unthrottled",
             "- {at: \"95%\", do: block, allow_ports: [22]}      # everything but SSH, DHCP, DNS and the monitor's own alerts",
             "- {at: \"100%\", do: quota}                         # the kernel itself stops the same at 100%, armed ahead"],
            Readme.LadderRules());
        var today = TimeProvider.System.GetLocalNow().Day;
        var config = Config(resetDay: today == 1 ? 2 : 1);
        var before = Trace();
        NetworkNamespacePair.Exec(_net.NamespaceA, "sysctl", "-q", "-w", "net.ipv4.ip_unprivileged_port_start=0");
        foreach (var port in new[] { SshPort, OtherPort })
        {
            _net.Start(_net.NamespaceA, [.. Nobody, "iperf3", "-s", "-B", NetworkNamespacePair.AddressA, "-p", port.ToString(CultureInfo.InvariantCulture)]);
        }

        var monitor = RunningMonitor.InNamespace(_net.NamespaceA, "run", "--config", config, "--log-level", "DEBUG");
        try
        {
            monitor.WaitForLog("Monitoring started");
            Assert.True(Reachable(OtherPort), "before the ladder, every port is reachable");

            // 85% at full speed (through SSH, which the throttle would not slow if it engaged mid-way): the throttle
            // (80%) and the quota, armed ahead (the limit less 1 GiB), engage.
            Transfer(SshPort, "-n", (Limit * 85 / 100).ToString(CultureInfo.InvariantCulture));
            monitor.WaitForLog("throttle@80% is applied");
            monitor.WaitForLog("quota@100% is applied");
            var status = Cli(config, "status").Output;
            Assert.Contains("throttle@80% (throttle at 1.6 GB): applied since", status, StringComparison.Ordinal);
            Assert.Contains("block@95% (block at 1.9 GB): not applied", status, StringComparison.Ordinal);
            Assert.Contains("quota@100% (quota armed at 926.26 MB, stops traffic at 2 GB): applied since", status, StringComparison.Ordinal);
            Assert.Contains("^ critical point 2 GB: quota@100% stops traffic (armed at 926.26 MB)", status, StringComparison.Ordinal);
            var quota = Step(config, "quota@100%");
            Assert.Equal((Limit - (1L << 30), Limit), (quota.GetProperty("at_bytes").GetInt64(), quota.GetProperty("stops_at_bytes").GetInt64()));
            Assert.Contains("qdisc htb 7a3e: dev tmeth0 root", Trace(), StringComparison.Ordinal);
            Assert.Contains("qdisc htb 7a3e: dev ifbtm-tmeth0 root", Trace(), StringComparison.Ordinal);

            // Throttled both ways to the rule's rate (within 10%, the first second left out), SSH at line rate.
            var upload = Transfer(OtherPort, "-t", "3", "-O", "1");
            var download = Transfer(OtherPort, "-t", "3", "-O", "1", "-R");
            var ssh = Transfer(SshPort, "-n", "100M");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"throttled to 10 Mbit/s: into A {upload / 1e6:F2} Mbit/s, out of A {download / 1e6:F2} Mbit/s; SSH port {ssh / 1e9:F2} Gbit/s"));
            Assert.InRange(upload, ThrottleBitsPerSecond * 0.9, ThrottleBitsPerSecond * 1.1);
            Assert.InRange(download, ThrottleBitsPerSecond * 0.9, ThrottleBitsPerSecond * 1.1);
            Assert.True(ssh > 1e9, $"SSH is not throttled: {ssh / 1e6:F0} Mbit/s");

            // Over 95% through SSH, which nothing slows: the block engages, SSH still connects, nothing else does.
            Transfer(SshPort, "-n", Upto(Limit * 96 / 100));
            monitor.WaitForLog("block@95% is applied");
            Assert.False(Reachable(OtherPort), "any other port is blocked");
            Assert.True(Reachable(SshPort), "SSH stays reachable under the block");

            // Past the limit (SSH passes the quota too): the kernel quota has nothing left, so with the block's table
            // deleted by hand, the quota alone still stops any other traffic; the next check puts the block back.
            Transfer(SshPort, "-n", Upto(Limit + 10_000_000));
            WaitFor(QuotaSpent, "the kernel quota aimed at the limit, which is passed");
            NetworkNamespacePair.Exec(_net.NamespaceA, "nft", "delete", "table", "inet", "traffic_monitor");
            Assert.False(Reachable(OtherPort), "the kernel quota stops traffic past the limit");
            monitor.WaitForLog("block@95% was no longer in force");
            Assert.True(Reachable(SshPort), "SSH stays reachable past the limit");

            // A firewall reload: the block and the quota are put back at the next check.
            NetworkNamespacePair.Exec(_net.NamespaceA, "nft", "flush", "ruleset");
            monitor.WaitForLog("block@95% was no longer in force", count: 2);
            monitor.WaitForLog("quota@100% was no longer in force");
            var held = Normalized(Trace());

            // Killed (-9) mid-ladder and started again: what holds is left as it is (one of each, the same rules).
            monitor = Restart(monitor, config);
            monitor.WaitForLog("Used ", count: 3);
            Assert.Equal(held, Normalized(Trace()));
            Assert.DoesNotContain("no longer in force", monitor.Log, StringComparison.Ordinal);

            // Killed again, and the kernel's state gone as after a reboot (ruleset, our qdiscs and ifb): the next
            // daemon puts back exactly what should hold, and nothing else.
            monitor = Restart(monitor, config, () =>
            {
                NetworkNamespacePair.Exec(_net.NamespaceA, "nft", "flush", "ruleset");
                NetworkNamespacePair.Exec(_net.NamespaceA, "tc", "qdisc", "del", "dev", _net.InterfaceA, "root");
                NetworkNamespacePair.Exec(_net.NamespaceA, "tc", "qdisc", "del", "dev", _net.InterfaceA, "ingress");
                NetworkNamespacePair.Exec(_net.NamespaceA, "ip", "link", "del", "ifbtm-" + _net.InterfaceA);
            });
            monitor.WaitForLog("throttle@80% was no longer in force");
            monitor.WaitForLog("block@95% was no longer in force");
            monitor.WaitForLog("quota@100% was no longer in force");
            Assert.Equal(held, Normalized(Trace()));
            Assert.False(Reachable(OtherPort));
            Assert.True(Reachable(SshPort));

            // revert-all removes every trace; resume puts the ladder back.
            Assert.Equal(0, Cli(config, "revert-all").ExitCode);
            monitor.WaitForLog("throttle@80% is undone");
            monitor.WaitForLog("block@95% is undone");
            monitor.WaitForLog("quota@100% is undone");
            Assert.Equal(before, Trace());
            Assert.Equal(0, Cli(config, "resume").ExitCode);
            WaitFor(() => Normalized(Trace()) == held, "the ladder applied again after resume");

            // A new billing period (reset_day moved to today, its usage set to nothing): every step is undone.
            config = Config(resetDay: today);
            Assert.Equal(0, Cli(config, "set-usage", "0 B").ExitCode);
            monitor.Signal("HUP");
            monitor.WaitForLog("throttle@80% is undone: a new billing period started");
            monitor.WaitForLog("block@95% is undone: a new billing period started");
            monitor.WaitForLog("quota@100% is undone: a new billing period started");
            Assert.Equal(before, Trace());
            Assert.True(Reachable(OtherPort));
            monitor.Signal("TERM");
            Assert.Equal(0, monitor.WaitForExit());
            Assert.Equal(before, Trace());
        }
        finally
        {
            output.WriteLine(monitor.Log);
            monitor.Dispose();
        }
    }

    /// <summary>A user and group that are not the monitor's (root), so the block and the quota do not let its traffic through.</summary>
    private static readonly string[] Nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];

    /// <summary>The bytes to send for A's counters to reach <paramref name="bytes"/> (at least 1 MB: iperf3 wants something to send).</summary>
    private string Upto(long bytes) => Math.Max(1_000_000, bytes - _net.CountersA.Rx - _net.CountersA.Tx).ToString(CultureInfo.InvariantCulture);

    /// <summary>Kills the daemon (-9), runs <paramref name="meanwhile"/> and starts another on the same settings.</summary>
    private RunningMonitor Restart(RunningMonitor monitor, string config, Action? meanwhile = null)
    {
        monitor.Signal("KILL");
        monitor.WaitForExit();
        output.WriteLine(monitor.Log);
        monitor.Dispose();
        meanwhile?.Invoke();
        return RunningMonitor.InNamespace(_net.NamespaceA, "run", "--config", config, "--log-level", "DEBUG");
    }

    /// <summary>An iperf3 transfer from B to A's <paramref name="port"/>; what the receiver measured, in bit/s.</summary>
    private double Transfer(int port, params string[] how)
    {
        var log = _dir.Combine($"iperf3-{Guid.NewGuid():N}.json");
        var client = _net.Start(_net.NamespaceB, ["iperf3", "-c", NetworkNamespacePair.AddressA, "-p", port.ToString(CultureInfo.InvariantCulture), "-J", "--logfile", log, "--connect-timeout", "2000", .. how]);
        if (!client.WaitForExit(20_000))
        {
            client.Kill(entireProcessTree: true);
            Assert.Fail($"iperf3 to port {port} ({string.Join(' ', how)}) did not finish within 20 s");
        }

        Assert.True(client.ExitCode == 0, $"iperf3 to port {port} ({string.Join(' ', how)}) failed: {File.ReadAllText(log)}");
        _net.WaitForQuiet();
        using var result = JsonDocument.Parse(File.ReadAllText(log));
        return result.RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("bits_per_second").GetDouble();
    }

    /// <summary>What the ladder can leave in A: the ruleset, then the qdiscs and the links (an ifb device is one).</summary>
    private string Trace() =>
        NetworkNamespacePair.Exec(_net.NamespaceA, "nft", "list", "ruleset")
        + TcMark + NetworkNamespacePair.Exec(_net.NamespaceA, "tc", "qdisc", "show")
        + NetworkNamespacePair.Exec(_net.NamespaceA, "ip", "-br", "link");

    private const string TcMark = "\n# tc and ip\n";

    /// <summary>Whether the kernel quota in A has no bytes left: <c>used</c> reached <c>over</c>.</summary>
    private bool QuotaSpent()
    {
        var quota = QuotaNumbers().Match(NetworkNamespacePair.Exec(_net.NamespaceA, "nft", "list", "quota", "inet", "traffic_monitor_quota", "remaining"));
        var over = long.Parse(quota.Groups["over"].Value, CultureInfo.InvariantCulture);
        return over == 0 || (quota.Groups["used"].Success && long.Parse(quota.Groups["used"].Value, CultureInfo.InvariantCulture) >= over);
    }

    private string Config(int resetDay) => _dir.Write("settings.yaml", $$"""
        thresholds: {total_limit: "2 GB", interval: "500 MB", critical_percentage: 100}
        monitor:
          provider: system
          interfaces: [{{_net.InterfaceA}}]
          check_interval: 2s
          reset_day: {{resetDay}}
          state_dir: "{{_dir.Combine("state")}}"
        actions:
          shutdown: {enabled: false}
          rules:
        {{string.Join("\n", Readme.LadderRules().Select(r => "    " + r))}}
        """);

    private CliResult Cli(string config, params string[] arguments) =>
        CliRunner.Run(["--config", config, .. arguments], networkNamespace: _net.NamespaceA);

    private JsonElement Step(string config, string id)
    {
        var result = Cli(config, "status", "--json");
        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        return json.RootElement.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("id").GetString() == id).Clone();
    }

    /// <summary>
    /// The trace without the quota's numbers, which follow the traffic, with the ruleset's tables in name order (a
    /// quota created anew for the rest is listed last) and without link addresses (an ifb made anew has a new one):
    /// what is installed, not how far it counted or when.
    /// </summary>
    private static string Normalized(string trace)
    {
        var (ruleset, links) = (trace[..trace.IndexOf(TcMark, StringComparison.Ordinal)], trace[trace.IndexOf(TcMark, StringComparison.Ordinal)..]);
        var tables = ("\n" + QuotaNumbers().Replace(ruleset, "over N bytes")).Split("\ntable ", StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal);
        return string.Join("\n", tables) + LinkAddress().Replace(links, "LINK");
    }

    /// <summary>A TCP transfer from B to A's <paramref name="port"/> gets through (iperf3, connecting within 2 s).</summary>
    private bool Reachable(int port)
    {
        var client = _net.Start(_net.NamespaceB, "iperf3", "-c", NetworkNamespacePair.AddressA, "-p", port.ToString(CultureInfo.InvariantCulture), "-n", "1M", "--connect-timeout", "2000");
        if (!client.WaitForExit(10_000))
        {
            client.Kill(entireProcessTree: true);
            return false;
        }

        return client.ExitCode == 0;
    }

    private static void WaitFor(Func<bool> condition, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"not reached: {what}");
            Thread.Sleep(100);
        }
    }

    [GeneratedRegex(@"over (?<over>\d+) bytes( used (?<used>\d+) bytes)?")]
    private static partial Regex QuotaNumbers();

    [GeneratedRegex(@"([0-9a-f]{2}:){5}[0-9a-f]{2}")]
    private static partial Regex LinkAddress();
}
