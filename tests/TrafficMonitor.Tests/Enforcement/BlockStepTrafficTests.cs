using System.Diagnostics;
using TrafficMonitor.Enforcement;
using TrafficMonitor.Enforcement.Linux;
using TrafficMonitor.Platform;
using TrafficMonitor.Quota;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Enforcement;

/// <summary>
/// The block against real traffic, in network namespaces the test creates: every nft command runs through
/// <c>ip netns exec</c> in namespace A, never in the host's. A holds the blocked server; B is the rest of the world.
/// </summary>
public sealed class BlockStepTrafficTests : IDisposable
{
    /// <summary>The user allowed out in these tests (nobody): the tests run as root, whose traffic must be blocked.</summary>
    private const string AllowedUser = "65534";

    private readonly NetworkNamespacePair _net = new();

    public void Dispose() => _net.Dispose();

    private Nft NftInA => new(new ProcessRunner(), ["ip", "netns", "exec", _net.NamespaceA]);

    private BlockStep CreateSut() => new(
        new EnforcementStep("block", 0, TimeSpan.Zero),
        new BlockOptions(new AllowedTraffic([22], [AllowedUser])),
        NftInA,
        new ProcessCredentials("0", "0"));

    [Fact]
    public async Task ApplyAsync_InNamespace_StopsIperfButNotSshNorTheAllowedUser()
    {
        Listen(_net.NamespaceA, NetworkNamespacePair.AddressA, 5201);
        Listen(_net.NamespaceA, NetworkNamespacePair.AddressA, 22);
        Listen(_net.NamespaceB, NetworkNamespacePair.AddressB, 5201);
        Assert.True(Iperf(_net.NamespaceB, NetworkNamespacePair.AddressA, 5201), "before the block, iperf3 reaches A");

        var result = await CreateSut().ApplyAsync(CancellationToken.None);

        Assert.True(result.Succeeded, result.Error);
        Assert.False(Iperf(_net.NamespaceB, NetworkNamespacePair.AddressA, 5201), "iperf3 to A's port 5201 is blocked");
        Assert.True(Iperf(_net.NamespaceB, NetworkNamespacePair.AddressA, 22), "a TCP connection to A's port 22 (SSH) still works");
        Assert.False(Iperf(_net.NamespaceA, NetworkNamespacePair.AddressB, 5201), "root's traffic out of A is blocked");
        Assert.True(Iperf(_net.NamespaceA, NetworkNamespacePair.AddressB, 5201, asUser: AllowedUser), "the allowed user's traffic still gets out");
    }

    [Fact]
    public async Task ApplyAsync_IPv6_StopsIperfButNotSsh()
    {
        // IPv6's benchmarking range (RFC 5180), on the pair the namespaces were given with IPv6 off.
        const string addressA = "2001:2::1";
        const string addressB = "2001:2::2";
        foreach (var (ns, name, address) in new[] { (_net.NamespaceA, _net.InterfaceA, addressA), (_net.NamespaceB, _net.InterfaceB, addressB) })
        {
            NetworkNamespacePair.Exec(ns, "sysctl", "-q", "-w", $"net.ipv6.conf.{name}.disable_ipv6=0", "net.ipv6.conf.lo.disable_ipv6=0");
            Programs.Run("ip", "-n", ns, "-6", "addr", "add", address + "/64", "dev", name, "nodad");
        }

        Listen(_net.NamespaceA, addressA, 5201);
        Listen(_net.NamespaceA, addressA, 22);
        Assert.True(Iperf(_net.NamespaceB, addressA, 5201), "before the block, iperf3 reaches A over IPv6");

        Assert.True((await CreateSut().ApplyAsync(CancellationToken.None)).Succeeded);
        // Both ends must find each other again through neighbour discovery, now under the block.
        Programs.Run("ip", "-n", _net.NamespaceA, "-6", "neigh", "flush", "dev", _net.InterfaceA);
        Programs.Run("ip", "-n", _net.NamespaceB, "-6", "neigh", "flush", "dev", _net.InterfaceB);

        Assert.False(Iperf(_net.NamespaceB, addressA, 5201), "iperf3 to A's port 5201 over IPv6 is blocked");
        Assert.True(Iperf(_net.NamespaceB, addressA, 22), "SSH over IPv6 still works (neighbour discovery included)");
    }

    [Fact]
    public async Task ApplyAsync_AllowedGroup_LetsRootInThatGroupOutButNotRootInGroupRoot()
    {
        Listen(_net.NamespaceB, NetworkNamespacePair.AddressB, 5201);
        var step = new BlockStep(
            new EnforcementStep("block", 0, TimeSpan.Zero), BlockOptions.Default, NftInA, new ProcessCredentials("0", AllowedUser));

        Assert.True((await step.ApplyAsync(CancellationToken.None)).Succeeded);

        Assert.True(Iperf(_net.NamespaceA, NetworkNamespacePair.AddressB, 5201, asGroup: AllowedUser), "root in the monitor's group gets out");
        Assert.False(Iperf(_net.NamespaceA, NetworkNamespacePair.AddressB, 5201), "root in group root does not");
    }

    [Fact]
    public async Task VerifyAsync_AfterFlushRuleset_PutsTheBlockBackAndSaysSo()
    {
        var step = CreateSut();
        Assert.True((await step.ApplyAsync(CancellationToken.None)).Succeeded);
        Assert.Equal(VerifyStatus.Intact, (await step.VerifyAsync(CancellationToken.None)).Status);

        NetworkNamespacePair.Exec(_net.NamespaceA, "nft", "flush", "ruleset");
        var repaired = await step.VerifyAsync(CancellationToken.None);

        Assert.Equal(VerifyStatus.Repaired, repaired.Status);
        Assert.Contains("was gone", repaired.Detail, StringComparison.Ordinal);
        Assert.Equal(VerifyStatus.Intact, (await step.VerifyAsync(CancellationToken.None)).Status);
        Listen(_net.NamespaceA, NetworkNamespacePair.AddressA, 5201);
        Assert.False(Iperf(_net.NamespaceB, NetworkNamespacePair.AddressA, 5201), "blocked again after the repair");
    }

    [Fact]
    public async Task VerifyAsync_ChainLostItsDrop_PutsTheBlockBack()
    {
        var step = CreateSut();
        Assert.True((await step.ApplyAsync(CancellationToken.None)).Succeeded);

        NetworkNamespacePair.Exec(_net.NamespaceA, "nft", "flush", "chain", "inet", BlockStep.TableName, "input");

        Assert.Equal(VerifyStatus.Repaired, (await step.VerifyAsync(CancellationToken.None)).Status);
        Assert.Equal(VerifyStatus.Intact, (await step.VerifyAsync(CancellationToken.None)).Status);
    }

    [Fact]
    public async Task ApplyTwiceThenRevert_BesideAnotherFirewall_OneTableWhileAppliedAndTheRulesetAsBeforeAfter()
    {
        // A firewall of the admin's (as ufw or firewalld leave one) that accepts iperf3: the block's drop still wins.
        Load(_net.NamespaceA, "table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\tct state established,related accept\n\t\ttcp dport { 22, 5201 } accept\n\t}\n}\n");
        var before = Ruleset();
        Listen(_net.NamespaceA, NetworkNamespacePair.AddressA, 5201);
        Listen(_net.NamespaceA, NetworkNamespacePair.AddressA, 22);
        var step = CreateSut();

        Assert.True((await step.ApplyAsync(CancellationToken.None)).Succeeded);
        Assert.True((await step.ApplyAsync(CancellationToken.None)).Succeeded);

        Assert.Single(Ruleset().Split('\n'), l => l == $"table inet {BlockStep.TableName} {{");
        Assert.False(Iperf(_net.NamespaceB, NetworkNamespacePair.AddressA, 5201), "a drop is final, whatever another table accepts");
        Assert.True(Iperf(_net.NamespaceB, NetworkNamespacePair.AddressA, 22), "SSH passes both tables");

        Assert.True((await step.RevertAsync(CancellationToken.None)).Succeeded);
        Assert.Equal(before, Ruleset());
        Assert.True((await step.RevertAsync(CancellationToken.None)).Succeeded, "reverting what is gone succeeds");
        Assert.Equal(before, Ruleset());
        Assert.True(Iperf(_net.NamespaceB, NetworkNamespacePair.AddressA, 5201), "traffic flows again after the revert");
    }

    private string Ruleset() => NetworkNamespacePair.Exec(_net.NamespaceA, "nft", "list", "ruleset");

    private static void Load(string ns, string ruleset)
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, ruleset);
            NetworkNamespacePair.Exec(ns, "nft", "-f", file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>An iperf3 server on a port in a namespace, serving any number of tests until disposed.</summary>
    private void Listen(string ns, string address, int port)
    {
        var server = _net.Start(ns, "iperf3", "-s", "-B", address, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var deadline = Stopwatch.StartNew();
        var listening = address.Contains(':', StringComparison.Ordinal) ? $"[{address}]:{port} " : $"{address}:{port} ";
        while (!NetworkNamespacePair.Exec(ns, "ss", "-ltn").Contains(listening, StringComparison.Ordinal))
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(10) || server.HasExited)
            {
                throw new InvalidOperationException($"iperf3 did not start listening on {address}:{port}");
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>Whether a short iperf3 run from <paramref name="ns"/> gets through (a blocked connect gives up after 1 s).</summary>
    private static bool Iperf(string ns, string address, int port, string? asUser = null, string? asGroup = null)
    {
        string[] iperf = ["iperf3", "-c", address, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-n", "256K", "--connect-timeout", "1000"];
        string[] command = asUser is not null ? ["setpriv", $"--reuid={asUser}", $"--regid={asUser}", "--clear-groups", .. iperf]
            : asGroup is not null ? ["setpriv", $"--regid={asGroup}", "--clear-groups", .. iperf]
            : iperf;
        return Programs.TryRun("timeout", ["5", "ip", "netns", "exec", ns, .. command]).ExitCode == 0;
    }
}
