using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using TrafficMonitor.Tests.Cli;
using TrafficMonitor.Tests.Components;
using Xunit.Abstractions;

namespace TrafficMonitor.Tests.Ladder;

/// <summary>
/// The README's ladder as a new user tries it: the real daemon (<c>run</c>) inside namespace A, counting A's veth end
/// (<c>monitor.provider: system</c>), real iperf3 traffic to B, and every nft command inside A. Each step engages at
/// its point, SSH (a listener on port 22 in A) stays reachable, and each way out of the ladder (revert-all, a new
/// period) leaves <c>nft list ruleset</c> in A exactly as before.
/// </summary>
[Collection(LineRateTests.Name)]
public sealed partial class LadderNamespaceTests(ITestOutputHelper output) : IDisposable
{
    private const long Limit = 1_000_000_000;
    private const int SshPort = 22;
    private const int OtherPort = 5201;

    private readonly NetworkNamespacePair _net = new();
    private readonly TempDirectory _dir = new();

    /// <summary>
    /// The ladder, one rule a line, in ascending order. The monitor runs as root in the test, so allow_users names
    /// nobody: iperf3 (root) is blocked and counted like any other traffic. (A throttle rule goes in front.)
    /// </summary>
    private static readonly string[] Rules =
    [
        "- {at: \"95%\", do: block, allow_users: [65534]}",
        "- {at: \"100%\", do: quota, arm_at: \"50%\", allow_users: [65534]}",
    ];

    public void Dispose()
    {
        _net.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void Run_ReadmeLadder_EachStepEngagesSshStaysReachableAndRevertAllOrANewPeriodLeaveNoTrace()
    {
        var today = TimeProvider.System.GetLocalNow().Day;
        var config = Config(resetDay: today == 1 ? 2 : 1);
        var before = Ruleset();
        _net.Start(_net.NamespaceA, "iperf3", "-s", "-B", NetworkNamespacePair.AddressA, "-p", SshPort.ToString(CultureInfo.InvariantCulture));
        _net.Start(_net.NamespaceA, "iperf3", "-s", "-B", NetworkNamespacePair.AddressA, "-p", OtherPort.ToString(CultureInfo.InvariantCulture));
        var monitor = RunningMonitor.InNamespace(_net.NamespaceA, "run", "--config", config, "--log-level", "DEBUG");
        try
        {
            monitor.WaitForLog("Monitoring started");
            Assert.True(Reachable(OtherPort), "before the ladder, every port is reachable");

            // Past the quota's arm_at (50%), then on at full speed: the block at 95%, the kernel's stop at 100%.
            _net.Send(Limit * 6 / 10);
            monitor.WaitForLog("quota@100% is applied");
            var step = Step(config, "quota@100%");
            Assert.Equal((Limit / 2, Limit), (step.GetProperty("at_bytes").GetInt64(), step.GetProperty("stops_at_bytes").GetInt64()));
            Assert.Contains("quota@100% (quota armed at 500 MB, stops traffic at 1 GB): applied since", Cli(config, "status").Output, StringComparison.Ordinal);
            // Not disposed here: the namespace pair kills it if the block left it waiting on its control connection.
            var sender = _net.StartSending(8);
            sender.WaitForExit(15_000);

            monitor.WaitForLog("block@95% is applied");
            _net.WaitForQuiet();
            var (rx, tx) = _net.CountersA;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stopped at {rx + tx:N0} B of {Limit:N0} B"));
            Assert.InRange(rx + tx, Limit * 95 / 100, Limit + 1_000_000);
            Assert.True(Reachable(SshPort), "SSH stays reachable under the block and the quota");
            Assert.False(Reachable(OtherPort), "any other port is blocked");

            // A firewall reload: both steps are put back at the next check.
            NetworkNamespacePair.Exec(_net.NamespaceA, "nft", "flush", "ruleset");
            monitor.WaitForLog("block@95% was no longer in force");
            monitor.WaitForLog("quota@100% was no longer in force");
            var held = Normalized(Ruleset());

            // Killed (-9) mid-ladder and started again: what holds is left as it is (one table each, the same rules).
            monitor.Signal("KILL");
            monitor.WaitForExit();
            monitor.Dispose();
            monitor = RunningMonitor.InNamespace(_net.NamespaceA, "run", "--config", config, "--log-level", "DEBUG");
            monitor.WaitForLog("Used ", count: 3);
            Assert.Equal(held, Normalized(Ruleset()));
            Assert.DoesNotContain("no longer in force", monitor.Log, StringComparison.Ordinal);

            // Killed again, and the kernel's tables gone as after a reboot: the next daemon puts back exactly what
            // should hold, and nothing else.
            monitor.Signal("KILL");
            monitor.WaitForExit();
            monitor.Dispose();
            NetworkNamespacePair.Exec(_net.NamespaceA, "nft", "flush", "ruleset");
            monitor = RunningMonitor.InNamespace(_net.NamespaceA, "run", "--config", config, "--log-level", "DEBUG");
            monitor.WaitForLog("block@95% was no longer in force");
            monitor.WaitForLog("quota@100% was no longer in force");
            Assert.Equal(held, Normalized(Ruleset()));
            Assert.False(Reachable(OtherPort));

            // revert-all removes every trace; resume puts the ladder back.
            Assert.Equal(0, Cli(config, "revert-all").ExitCode);
            monitor.WaitForLog("quota@100% is undone");
            monitor.WaitForLog("block@95% is undone");
            Assert.Equal(before, Ruleset());
            Assert.Equal(0, Cli(config, "resume").ExitCode);
            monitor.WaitForLog("block@95% is applied", count: 1);
            WaitFor(() => Normalized(Ruleset()) == held, "the ladder applied again after resume");

            // A new billing period (reset_day moved to today, its usage set to nothing): every step is undone.
            config = Config(resetDay: today);
            Assert.Equal(0, Cli(config, "set-usage", "0 B").ExitCode);
            monitor.Signal("HUP");
            monitor.WaitForLog("block@95% is undone: a new billing period started");
            monitor.WaitForLog("quota@100% is undone: a new billing period started");
            Assert.Equal(before, Ruleset());
            Assert.True(Reachable(OtherPort));
            monitor.Signal("TERM");
            Assert.Equal(0, monitor.WaitForExit());
            Assert.Equal(before, Ruleset());
        }
        finally
        {
            output.WriteLine(monitor.Log);
            monitor.Dispose();
        }
    }

    private string Config(int resetDay) => _dir.Write("settings.yaml", $$"""
        thresholds: {total_limit: "1 GB", interval: "500 MB", critical_percentage: 100}
        monitor:
          provider: system
          interfaces: [{{_net.InterfaceA}}]
          check_interval: 2s
          reset_day: {{resetDay}}
          state_dir: "{{_dir.Combine("state")}}"
        actions:
          shutdown: {enabled: false}
          rules:
        {{string.Join("\n", Rules.Select(r => "    " + r))}}
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

    private string Ruleset() => NetworkNamespacePair.Exec(_net.NamespaceA, "nft", "list", "ruleset");

    /// <summary>
    /// The ruleset without the quota's numbers, which follow the traffic, and with its tables in name order (a quota
    /// created anew for the rest is listed last): what is installed, not how far it counted or when.
    /// </summary>
    private static string Normalized(string ruleset) =>
        string.Join("\n", ("\n" + QuotaNumbers().Replace(ruleset, "over N bytes")).Split("\ntable ", StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));

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

    [GeneratedRegex(@"over \d+ bytes( used \d+ bytes)?")]
    private static partial Regex QuotaNumbers();
}
