using System.Diagnostics;
using System.Globalization;
using TrafficMonitor.Enforcement;
using TrafficMonitor.Enforcement.Linux;
using TrafficMonitor.Platform;
using TrafficMonitor.Quota;
using TrafficMonitor.Tests.Cli;
using TrafficMonitor.Tests.Components;
using TrafficMonitor.Usage.SystemCounters.Linux;
using Xunit.Abstractions;

namespace TrafficMonitor.Tests.Enforcement;

/// <summary>
/// The kernel quota against a full-speed iperf3 through a veth pair, in namespaces the test creates (every nft
/// command through <c>ip netns exec</c>). The interface counters of A's veth end (rx + tx) are the truth, as in the
/// monitor. The bound test runs the real daemon in A with a <c>do: quota</c> rule: its fast checks refresh the quota.
/// </summary>
[Collection(LineRateTests.Name)]
public sealed class QuotaStepTrafficTests(ITestOutputHelper output) : IDisposable
{
    private const long Limit = 1_000_000_000;
    private const long MaxOver = 1_000_000;
    private const long MaxShort = Limit / 100;

    private readonly NetworkNamespacePair _net = new();
    private readonly TempDirectory _dir = new();

    public void Dispose()
    {
        _net.Dispose();
        _dir.Dispose();
    }

    /// <param name="sentBefore">Sent (idle, before the monitor starts) as a fraction of the limit.</param>
    /// <param name="armAt">
    /// The rule's arm_at; null: the default lead (1 GiB, more than the limit), so armed at the first check. At 15%,
    /// reached at full speed: it is armed while iperf3 runs, wherever the check that sees it finds the counters (veth
    /// here moves ~3 GB/s, so a lead of a few hundred MB is what a few fast checks under load take).
    /// </param>
    /// <remarks>
    /// The monitor runs as root here, and by default its own user's traffic passes the quota (as a service it runs
    /// with a group of its own): allow_users names nobody instead, so iperf3 (root) is counted and stopped.
    /// </remarks>
    [Theory]
    [InlineData(0.0, null)]
    [InlineData(0.1, "15%")]
    public void Quota_FullSpeedIperf_StopsWithin1MBOverAnd1PercentShortOfTheLimit(double sentBefore, string? armAt)
    {
        if (sentBefore > 0)
        {
            _net.Send((long)(Limit * sentBefore));
        }

        var config = _dir.Write("settings.yaml", $$"""
            thresholds: {total_limit: "1 GB", interval: "500 MB", critical_percentage: 100}
            monitor:
              provider: system
              interfaces: [{{_net.InterfaceA}}]
              check_interval: 5s
              state_dir: "{{_dir.Combine("state")}}"
            actions:
              rules:
                - {at: "100%", do: quota, allow_users: [65534]{{(armAt is null ? string.Empty : $", arm_at: \"{armAt}\"")}}}
            """);
        using var monitor = RunningMonitor.InNamespace(_net.NamespaceA, "run", "--config", config, "--log-level", "DEBUG");
        if (armAt is null)
        {
            monitor.WaitForLog("quota@100% is applied");
        }
        else
        {
            monitor.WaitForLog("Monitoring started");
        }

        var clock = Stopwatch.StartNew();
        // The kernel stops it; iperf3 then waits on its control connection, which the quota stops too, until the
        // namespace pair kills it (not disposed here: the pair must still see it to kill it).
        var sender = _net.StartSending(10);
        sender.WaitForExit(15_000);

        _net.WaitForQuiet();
        var (rx, tx) = _net.CountersA;
        var final = rx + tx;
        monitor.Signal("TERM");
        monitor.WaitForExit();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"final {final:N0} B: {final - Limit:+#,0;-#,0;0} B against the limit of {Limit:N0} B; " +
            $"{monitor.Occurrences("its allowance is now")} resizes, {monitor.Occurrences("a fresh quota of")} re-creations; {clock.Elapsed.TotalSeconds:F1} s; load {File.ReadAllText("/proc/loadavg").Trim()}"));
        foreach (var line in monitor.Log.Split('\n').Where(l => l.Contains("quota@100%", StringComparison.Ordinal) || l.Contains("fail", StringComparison.OrdinalIgnoreCase)))
        {
            output.WriteLine(line);
        }

        Assert.DoesNotContain("could not be applied", monitor.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("checking it failed", monitor.Log, StringComparison.Ordinal);
        Assert.True(final <= Limit + MaxOver, $"ended {final - Limit:N0} B over the limit (at most {MaxOver:N0})");
        Assert.True(final >= Limit - MaxShort, $"ended {Limit - final:N0} B short of the limit (at most {MaxShort:N0})");
    }

    [Fact]
    public async Task VerifyAsync_AfterFlushRuleset_RecreatesTheQuotaForTheBytesLeft()
    {
        using var sleeper = _net.StartSleeper();
        var counted = Counter(sleeper.Id);
        _net.Send(10_000_000);
        var step = CreateSut(counted);
        Assert.True((await step.ApplyAsync(CancellationToken.None)).Succeeded);

        NetworkNamespacePair.Exec(_net.NamespaceA, "nft", "flush", "ruleset");
        var repaired = await step.VerifyAsync(CancellationToken.None);

        Assert.Equal(VerifyStatus.Repaired, repaired.Status);
        var listed = NetworkNamespacePair.Exec(_net.NamespaceA, "nft", "-j", "list", "quota", "inet", QuotaStep.TableName, QuotaStep.QuotaName);
        var (over, used) = KernelQuotaSizing.ParseQuotaJson(listed);
        Assert.InRange(over, (Limit - step.MarginBytes - counted()) / KernelQuotaSizing.MaxRatio, Limit - step.MarginBytes - 10_000_000);
        Assert.Equal(VerifyStatus.Intact, (await step.VerifyAsync(CancellationToken.None)).Status);
        Assert.True(used < 1_000_000);
    }

    [Fact]
    public async Task RevertAsync_AfterApplyAndRefresh_LeavesTheRulesetAsBefore()
    {
        using var sleeper = _net.StartSleeper();
        var before = NetworkNamespacePair.Exec(_net.NamespaceA, "nft", "list", "ruleset");
        var step = CreateSut(Counter(sleeper.Id));

        Assert.True((await step.ApplyAsync(CancellationToken.None)).Succeeded);
        Assert.True((await step.ApplyAsync(CancellationToken.None)).Succeeded);
        Assert.Null((await step.RefreshAsync(CancellationToken.None)).Error);
        Assert.Single(NetworkNamespacePair.Exec(_net.NamespaceA, "nft", "list", "ruleset").Split('\n'), l => l == $"table inet {QuotaStep.TableName} {{");
        Assert.True((await step.RevertAsync(CancellationToken.None)).Succeeded);

        Assert.Equal(before, NetworkNamespacePair.Exec(_net.NamespaceA, "nft", "list", "ruleset"));
    }

    private QuotaStep CreateSut(Func<long> counted) => new(
        new EnforcementStep("quota", 0, TimeSpan.Zero),
        new QuotaOptions(new AllowedTraffic([22], ["65534"])),
        Limit,
        QuotaDirections.Both,
        counted,
        new Nft(new ProcessRunner(), ["ip", "netns", "exec", _net.NamespaceA]),
        new ProcessCredentials("0", "0"));

    /// <summary>A's veth end, rx + tx, read in-process through a process in A (as fast as the monitor's own reading).</summary>
    private Func<long> Counter(int pidInA)
    {
        var path = $"/proc/{pidInA}/net/dev";
        var name = _net.InterfaceA;
        return () =>
        {
            var sample = LinuxInterfaceCounters.ParseNetDev(File.ReadAllText(path)).Single(s => s.Name == name);
            return (long)(sample.Rx + sample.Tx);
        };
    }
}
