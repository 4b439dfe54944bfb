using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using TrafficMonitor.Enforcement;
using TrafficMonitor.Enforcement.Linux;
using TrafficMonitor.Platform;
using TrafficMonitor.State;
using TrafficMonitor.Tests.Components;
using Xunit.Abstractions;

namespace TrafficMonitor.Tests.Enforcement;

/// <summary>
/// The throttle against real traffic, in network namespaces the test creates: every tc and ip command runs through
/// <c>ip netns exec</c> in namespace A, whose veth end is throttled; B is the rest of the world. The iperf3 servers
/// run in A, so an upload from B is what A receives (shaped through the ifb) and <c>-R</c> is what A sends.
/// </summary>
[Collection(LineRateTests.Name)]
public sealed class ThrottleStepTrafficTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>
    /// The issue's bound. iperf3 counts TCP payload while HTB holds whole frames to the rate, so it reads about 95% of
    /// the rate (1448 payload bytes in each 1514-byte frame): measured 94.6–95.6% at 10 and 50 Mbit/s.
    /// </summary>
    private const double Tolerance = 0.10;

    private readonly NetworkNamespacePair _net = new();

    public void Dispose() => _net.Dispose();

    private string Interface => _net.InterfaceA;

    private ThrottleStep CreateSut(string rate = "10 Mbit/s", bool keepSsh = true) => new(
        "throttle@80%", 800, new ThrottleStepOptions(Rate(rate), keepSsh, [22]), () => [Interface], TcInA, NullLogger.Instance);

    private Tc TcInA => new(new ProcessRunner(), ["ip", "netns", "exec", _net.NamespaceA]);

    [Theory]
    [InlineData("10 Mbit/s")]
    [InlineData("50 Mbit")]
    public async Task ApplyAsync_BothDirectionsAtTheRateAndSshAtLineRate(string rate)
    {
        var bits = Rate(rate).BitsPerSecond;
        Listen(5201);
        Listen(22);
        var step = CreateSut(rate);

        var result = await step.ApplyAsync(CancellationToken.None);

        Assert.True(result.Succeeded, result.Error);
        var upload = Measure(5201, reverse: false);
        var download = Measure(5201, reverse: true);
        var sshUpload = Measure(22, reverse: false);
        var sshDownload = Measure(22, reverse: true);
        output.WriteLine(FormattableString.Invariant(
            $"set {bits / 1e6:0.##} Mbit/s: upload (A receives) {upload / 1e6:0.##}, download (A sends) {download / 1e6:0.##}, SSH port up {sshUpload / 1e6:0.##}, down {sshDownload / 1e6:0.##} Mbit/s"));
        Assert.InRange(upload, bits * (1 - Tolerance), bits * (1 + Tolerance));
        Assert.InRange(download, bits * (1 - Tolerance), bits * (1 + Tolerance));
        Assert.True(sshUpload > 5 * bits, $"SSH's port is not throttled on the way in ({sshUpload / 1e6:0.##} Mbit/s)");
        Assert.True(sshDownload > 5 * bits, $"SSH's port is not throttled on the way out ({sshDownload / 1e6:0.##} Mbit/s)");
    }

    [Fact]
    public async Task ApplyAsync_IPv6_ThrottledAtTheRateAndSshAtLineRate()
    {
        // IPv6's benchmarking range (RFC 5180), on the pair the namespaces were given with IPv6 off.
        const string addressA = "2001:2::1";
        const string addressB = "2001:2::2";
        foreach (var (ns, name, address) in new[] { (_net.NamespaceA, _net.InterfaceA, addressA), (_net.NamespaceB, _net.InterfaceB, addressB) })
        {
            NetworkNamespacePair.Exec(ns, "sysctl", "-q", "-w", $"net.ipv6.conf.{name}.disable_ipv6=0");
            Programs.Run("ip", "-n", ns, "-6", "addr", "add", address + "/64", "dev", name, "nodad");
        }

        Listen(5201, addressA);
        Listen(22, addressA);
        Assert.True((await CreateSut().ApplyAsync(CancellationToken.None)).Succeeded);

        var upload = Measure(5201, reverse: false, address: addressA);
        var download = Measure(5201, reverse: true, address: addressA);
        var ssh = Math.Min(Measure(22, reverse: false, address: addressA), Measure(22, reverse: true, address: addressA));
        output.WriteLine(FormattableString.Invariant($"IPv6, set 10 Mbit/s: upload {upload / 1e6:0.##}, download {download / 1e6:0.##}, SSH's port at least {ssh / 1e6:0.##} Mbit/s"));
        Assert.InRange(upload, 10e6 * (1 - Tolerance), 10e6 * (1 + Tolerance));
        Assert.InRange(download, 10e6 * (1 - Tolerance), 10e6 * (1 + Tolerance));
        Assert.True(ssh > 50e6, $"SSH's port over IPv6 is not throttled ({ssh / 1e6:0.##} Mbit/s)");
    }

    [Fact]
    public async Task ApplyAsync_KeepSshFalse_ThrottlesSshToo()
    {
        Listen(22);
        var step = CreateSut("10 Mbit/s", keepSsh: false);

        Assert.True((await step.ApplyAsync(CancellationToken.None)).Succeeded);

        var ssh = Measure(22, reverse: true);
        Assert.InRange(ssh, 10e6 * (1 - Tolerance), 10e6 * (1 + Tolerance));
    }

    [Fact]
    public async Task ApplyTwiceThenRevert_KernelDefault_OneSetupThenTheQdiscsAndLinksAsBefore()
    {
        var before = Snapshot();
        var step = CreateSut();

        Assert.True((await step.ApplyAsync(CancellationToken.None)).Succeeded);
        var once = WithoutActionIndex(Snapshot());
        Assert.True((await step.ApplyAsync(CancellationToken.None)).Succeeded);

        // The kernel numbers each new redirect action: the second one is the same setup with the next number.
        Assert.Equal(once, WithoutActionIndex(Snapshot()));
        Assert.Single(Tc("qdisc", "show", "dev", Interface).Split('\n'), l => l.StartsWith("qdisc htb 7a3e:", StringComparison.Ordinal));
        Assert.Single(Tc("-j", "filter", "show", "dev", Interface, "ingress").Split("\"to_dev\"").Skip(1));
        Assert.Contains("ifbtm-tmeth0", Ip("-br", "link"), StringComparison.Ordinal);

        Assert.True((await step.RevertAsync(CancellationToken.None)).Succeeded);
        Assert.Equal(before, Snapshot());
        Assert.True((await step.RevertAsync(CancellationToken.None)).Succeeded, "reverting what is gone succeeds");
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task Revert_AdminsTbfAndIngressQdisc_PutBackExactly()
    {
        // An admin's setup: a tbf root with its own parameters, and an ingress qdisc with a filter of theirs.
        Tc("qdisc", "replace", "dev", Interface, "root", "handle", "1234:", "tbf", "rate", "1234567bit", "burst", "32001", "limit", "77777");
        Tc("qdisc", "add", "dev", Interface, "ingress");
        Tc("filter", "add", "dev", Interface, "ingress", "pref", "10", "protocol", "ip", "u32", "match", "ip", "src", "198.18.0.0/30", "classid", ":1");
        var before = Snapshot();
        var step = CreateSut();

        Assert.True((await step.ApplyAsync(CancellationToken.None)).Succeeded);
        Assert.Contains("qdisc htb 7a3e: root", Tc("qdisc", "show", "dev", Interface), StringComparison.Ordinal);
        Assert.Contains("restore=handle 1234: tbf rate 154320bps burst 32001b latency ", Assert.Single(step.UndoRecord), StringComparison.Ordinal);

        Assert.True((await step.RevertAsync(CancellationToken.None)).Succeeded);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task Apply_RootQdiscThatCannotBePutBack_IsLeftAloneWithAReason()
    {
        // tbf's peakrate does not show in tc -j: it could not be restored as it was, so it is not replaced.
        Tc("qdisc", "replace", "dev", Interface, "root", "handle", "1:", "tbf", "rate", "1mbit", "burst", "32kb", "latency", "50ms", "peakrate", "2mbit", "mtu", "1600");
        var before = Snapshot();

        var result = await CreateSut().ApplyAsync(CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("tmeth0's root qdisc tbf 1: has the option minburst (tbf), which the throttle could not put back exactly", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task Apply_OneInterfaceFails_NoneIsLeftThrottled()
    {
        var before = Snapshot();
        var step = new ThrottleStep("throttle@80%", 800, new ThrottleStepOptions(Rate("10 Mbit"), true, [22]), () => [Interface, "nosuch0"], TcInA, NullLogger.Instance);

        var result = await step.ApplyAsync(CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("there is no interface nosuch0 to throttle: fix monitor.interfaces", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot());
        Assert.Empty(step.UndoRecord);
    }

    [Fact]
    public async Task VerifyAsync_AfterAdminDeletesTheQdisc_PutsTheThrottleBackAndRestoresTheirsLater()
    {
        Tc("qdisc", "replace", "dev", Interface, "root", "handle", "1234:", "tbf", "rate", "2mbit", "burst", "20000", "latency", "40ms");
        var before = Snapshot();
        Listen(5201);
        var step = CreateSut();
        Assert.True((await step.ApplyAsync(CancellationToken.None)).Succeeded);
        Assert.Equal(VerifyStatus.Intact, (await step.VerifyAsync(CancellationToken.None)).Status);

        Tc("qdisc", "del", "dev", Interface, "root");
        var repaired = await step.VerifyAsync(CancellationToken.None);

        Assert.Equal(VerifyStatus.Repaired, repaired.Status);
        Assert.Contains("the throttle of tmeth0 was removed (tmeth0's root qdisc is not ours)", repaired.Detail, StringComparison.Ordinal);
        Assert.Equal(VerifyStatus.Intact, (await step.VerifyAsync(CancellationToken.None)).Status);
        Assert.InRange(Measure(5201, reverse: true, seconds: 3), 10e6 * (1 - Tolerance), 10e6 * (1 + Tolerance));
        Assert.True((await step.RevertAsync(CancellationToken.None)).Succeeded);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task VerifyAsync_IfbDeletedOrRateChanged_PutsItBack()
    {
        var step = CreateSut();
        Assert.True((await step.ApplyAsync(CancellationToken.None)).Succeeded);

        Ip("link", "del", "dev", "ifbtm-tmeth0");
        Assert.Equal(VerifyStatus.Repaired, (await step.VerifyAsync(CancellationToken.None)).Status);
        Tc("class", "change", "dev", Interface, "parent", "7a3e:", "classid", "7a3e:20", "htb", "rate", "1gbit");
        var repaired = await step.VerifyAsync(CancellationToken.None);

        Assert.Equal(VerifyStatus.Repaired, repaired.Status);
        Assert.Contains("is not at 10 Mbit/s", repaired.Detail, StringComparison.Ordinal);
        Assert.Equal(VerifyStatus.Intact, (await step.VerifyAsync(CancellationToken.None)).Status);
    }

    [Fact]
    public async Task ForRecord_ANewStepFromTheRecordAlone_UndoesTheThrottleAndRestoresTheAdminsQdisc()
    {
        Tc("qdisc", "replace", "dev", Interface, "root", "handle", "1234:", "tbf", "rate", "3mbit", "burst", "10kb", "latency", "70ms");
        var before = Snapshot();
        var applied = CreateSut();
        Assert.True((await applied.ApplyAsync(CancellationToken.None)).Succeeded);
        var record = new StepRecord { Kind = ThrottleStepOptions.Kind, InForce = true, Undo = applied.UndoRecord };

        // As after a restart: a step that applied nothing itself, given the record (a removed rule, or the same rule).
        var fromRecord = new ThrottleStep("throttle@80%", 800, new ThrottleStepOptions(Rate("10 Mbit"), true, [22]), () => [], TcInA, NullLogger.Instance);
        fromRecord.Recall(record.Undo!);

        Assert.True((await ((IEnforcementStep)fromRecord).RevertAsync(new StepContext(StepEvent.Revert, "throttle@80%", null), CancellationToken.None)).Succeeded);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task Apply_PreExistingIfbDevicesOfOthers_AreNeitherUsedNorDeleted()
    {
        Ip("link", "add", "ifb0", "type", "ifb");
        var before = Snapshot();
        var step = CreateSut();

        Assert.True((await step.ApplyAsync(CancellationToken.None)).Succeeded);
        Assert.DoesNotContain("ifb0", Tc("-j", "filter", "show", "dev", Interface, "ingress"), StringComparison.Ordinal);
        Assert.True((await step.RevertAsync(CancellationToken.None)).Succeeded);

        Assert.Equal(before, Snapshot());
        Assert.Contains("ifb0", Ip("-br", "link"), StringComparison.Ordinal);
    }

    private static ThrottleRate Rate(string text) =>
        ThrottleRate.TryParse(text, out var rate, out var error) ? rate : throw new ArgumentException(error);

    /// <summary>Every qdisc, filter and link in A, in tc's and ip's words: what a revert must leave as it found.</summary>
    private string Snapshot() =>
        Tc("qdisc", "show") + Tc("filter", "show", "dev", Interface, "ingress") + Tc("class", "show", "dev", Interface)
        + string.Join('\n', Ip("-br", "link").Split('\n').Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(2))));

    private static string WithoutActionIndex(string snapshot) => Regex.Replace(snapshot, "index [0-9]+ ", "index N ");

    private string Tc(params string[] arguments) => NetworkNamespacePair.Exec(_net.NamespaceA, ["tc", .. arguments]);

    private string Ip(params string[] arguments) => NetworkNamespacePair.Exec(_net.NamespaceA, ["ip", .. arguments]);

    /// <summary>An iperf3 server in A, serving any number of runs until disposed.</summary>
    private void Listen(int port, string address = NetworkNamespacePair.AddressA)
    {
        var server = _net.Start(_net.NamespaceA, "iperf3", "-s", "-B", address, "-p", port.ToString(CultureInfo.InvariantCulture));
        var deadline = Stopwatch.StartNew();
        var listening = address.Contains(':', StringComparison.Ordinal) ? $"[{address}]:{port} " : $"{address}:{port} ";
        while (!NetworkNamespacePair.Exec(_net.NamespaceA, "ss", "-ltn").Contains(listening, StringComparison.Ordinal))
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(10) || server.HasExited)
            {
                throw new InvalidOperationException($"iperf3 did not start listening on port {port}");
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>
    /// The receiver's throughput in bit/s of an iperf3 run from B to A's port (<paramref name="reverse"/>: A sends),
    /// over <paramref name="seconds"/> after one omitted second, in which TCP ramps up and the shaper's burst drains.
    /// </summary>
    private double Measure(int port, bool reverse, int seconds = 4, string address = NetworkNamespacePair.AddressA)
    {
        string[] command =
        [
            "iperf3", "-c", address, "-p", port.ToString(CultureInfo.InvariantCulture), "-t", seconds.ToString(CultureInfo.InvariantCulture),
            "-O", "1", "-J", "--connect-timeout", "3000", .. reverse ? new[] { "-R" } : [],
        ];
        using var json = JsonDocument.Parse(NetworkNamespacePair.Exec(_net.NamespaceB, command));
        return json.RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("bits_per_second").GetDouble();
    }
}
