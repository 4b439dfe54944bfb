using TrafficMonitor.Configuration;
using TrafficMonitor.Configuration.Yaml;
using TrafficMonitor.Enforcement;
using TrafficMonitor.Enforcement.Linux;
using TrafficMonitor.Tests.Components;
using YamlDotNet.RepresentationModel;

namespace TrafficMonitor.Tests.Enforcement;

/// <summary>The rulesets as text, the kernel quota's sizing, and the options of block and quota rules.</summary>
public class NftRulesetTests
{
    /// <summary>A monitor running as a user of its own (998) in group root.</summary>
    private static readonly ProcessCredentials Monitor = new("998", "0");

    private readonly List<ConfigProblem> _problems = [];

    [Fact]
    public void BlockBuild_Defaults_ReplacesItsOwnTableInOneTransaction()
    {
        var text = BlockStep.Build(AllowedTraffic.Default, Monitor);

        var lines = text.Split('\n');
        Assert.Equal("table inet traffic_monitor", lines[0]);
        Assert.Equal("delete table inet traffic_monitor", lines[1]);
        Assert.Equal("table inet traffic_monitor {", lines[2]);
        Assert.DoesNotContain("flush", text, StringComparison.Ordinal);
        Assert.Single(lines, l => l.StartsWith("delete", StringComparison.Ordinal));
    }

    [Fact]
    public void BlockBuild_Defaults_EachBaseChainAcceptsByPolicyBeforeFilterAndEndsWithADrop()
    {
        var text = BlockStep.Build(AllowedTraffic.Default, Monitor);

        foreach (var hook in new[] { "input", "output", "forward" })
        {
            Assert.Contains($"\tchain {hook} {{\n\t\ttype filter hook {hook} priority filter - 50; policy accept;\n", text, StringComparison.Ordinal);
        }

        Assert.Equal(3, text.Split('\n').Count(l => l == "\t\tcounter drop"));
        // Nothing but drops decides for the other tables: no policy drop, no reject, no jump elsewhere.
        Assert.DoesNotContain("policy drop", text, StringComparison.Ordinal);
        Assert.DoesNotContain("reject", text, StringComparison.Ordinal);
        Assert.DoesNotContain("jump", text, StringComparison.Ordinal);
    }

    [Fact]
    public void BlockBuild_Defaults_AllowsSshBothWaysDhcpNeighbourDiscoveryDnsAndTheMonitor()
    {
        var text = BlockStep.Build(AllowedTraffic.Default, Monitor);

        Assert.Contains("\t\tiif \"lo\" accept\n", text, StringComparison.Ordinal);
        Assert.Contains("\t\ttcp dport { 22 } accept\n", text, StringComparison.Ordinal);
        Assert.Contains("\t\ttcp sport { 22 } ct direction reply accept\n", text, StringComparison.Ordinal);
        Assert.Contains("\t\tudp sport 68 udp dport 67 accept\n", text, StringComparison.Ordinal);
        Assert.Contains("\t\tudp sport 546 udp dport 547 accept\n", text, StringComparison.Ordinal);
        Assert.Contains("nd-neighbor-solicit", text, StringComparison.Ordinal);
        Assert.Contains("\t\tmeta l4proto { tcp, udp } th dport 53 accept\n", text, StringComparison.Ordinal);
        Assert.Contains("\t\tmeta skuid { 998 } accept\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void BlockAndQuotaBuild_LoadWithoutEtcProtocols_AsOnAMinimalSystem()
    {
        // A minimal Debian (a container, minbase) has no netbase, so no /etc/protocols: nft then knows only its own
        // protocol keywords, and refused the whole block for 'ipv6-icmp' under the packaged unit. nft -c checks the
        // text without loading it, in a network namespace of its own with /etc/protocols hidden.
        using var directory = new TempDirectory();
        foreach (var ruleset in new[] { BlockStep.Build(AllowedTraffic.Default, Monitor), QuotaStep.Build(AllowedTraffic.Default, Monitor, 1_000_000, QuotaDirections.Both) })
        {
            var file = directory.Write("ruleset.nft", ruleset);
            var (exitCode, output, error) = Programs.TryRun(
                "unshare", "--net", "--mount", "sh", "-c", "mount --bind /dev/null /etc/protocols && exec nft -c -f \"$0\"", file);

            Assert.True(exitCode == 0, $"{error}{output}\n{ruleset}");
        }
    }

    [Fact]
    public void BlockBuild_AllowedPortsAndUsers_ReplaceTheDefaults()
    {
        var text = BlockStep.Build(new AllowedTraffic([2222, 22], ["traffic-monitor", "65534"]), new ProcessCredentials("0", "0"));

        Assert.Contains("\t\ttcp dport { 2222, 22 } accept\n", text, StringComparison.Ordinal);
        Assert.Contains("\t\tmeta skuid { traffic-monitor, 65534 } accept\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("skuid { 0 }", text, StringComparison.Ordinal);
    }

    [Fact]
    public void BlockBuild_OtherSettings_ChangeTheFingerprintInTheComment()
    {
        static string Comment(string text) => text.Split('\n').Single(l => l.StartsWith("\tcomment", StringComparison.Ordinal));

        Assert.Equal(Comment(BlockStep.Build(AllowedTraffic.Default, Monitor)), Comment(BlockStep.Build(AllowedTraffic.Default, Monitor)));
        Assert.NotEqual(Comment(BlockStep.Build(AllowedTraffic.Default, Monitor)), Comment(BlockStep.Build(new AllowedTraffic([2222], []), Monitor)));
    }

    [Fact]
    public void Delete_RemovesOnlyItsOwnTableAndSucceedsWhenItIsGone()
    {
        Assert.Equal("table inet traffic_monitor\ndelete table inet traffic_monitor\n", NftRuleset.Delete(BlockStep.TableName));
    }

    [Fact]
    public void QuotaBuild_Both_DropsPastTheQuotaInEveryHookAfterTheAllowedTraffic()
    {
        var text = QuotaStep.Build(AllowedTraffic.Default, Monitor, 123_456_789, QuotaDirections.Both);

        Assert.StartsWith("table inet traffic_monitor_quota\ndelete table inet traffic_monitor_quota\ntable inet traffic_monitor_quota {\n", text, StringComparison.Ordinal);
        Assert.Contains("\tquota remaining { over 123456789 bytes; }\n", text, StringComparison.Ordinal);
        Assert.Equal(3, text.Split('\n').Count(l => l == "\t\tquota name \"remaining\" drop"));
        Assert.Contains("\t\tmeta skuid { 998 } accept\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void QuotaBuild_OutboundOnly_HasNoInputChain()
    {
        var text = QuotaStep.Build(AllowedTraffic.Default, Monitor, 1000, QuotaDirections.Outbound);

        Assert.DoesNotContain("chain input", text, StringComparison.Ordinal);
        Assert.Contains("chain output", text, StringComparison.Ordinal);
        Assert.Contains("chain forward", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1_000_000_000, 2_500_000)]
    [InlineData(2_000_000_000_000, 1L << 30)]
    [InlineData(100_000_000, 2L << 20)]
    [InlineData(10_000_000, 1_000_000)]
    public void DefaultMargin_IsAQuarterPercentBetween2MiBAnd1GiB(long limit, long margin) => Assert.Equal(margin, KernelQuotaSizing.DefaultMargin(limit));

    [Fact]
    public void Allowance_RatioAbove1_AllowsTheKernelFewerBytesThanAreLeftWithTheSafetyOnTop()
    {
        // 100 MB left before the target; the interfaces count 5% more than the kernel, and 3% is added to that.
        Assert.Equal((long)Math.Floor(100_000_000 / (1.05 * KernelQuotaSizing.Safety)), KernelQuotaSizing.Allowance(1_000_000_000, 0, 900_000_000, 1.05));
        Assert.Equal(0, KernelQuotaSizing.Allowance(1_000_000_000, 0, 1_200_000_000, 1.05));
    }

    [Fact]
    public void Ratio_SmallSample_KeepsThePreviousOne()
    {
        Assert.Equal(1.08, KernelQuotaSizing.Ratio(1_000_000, 950_000, 1.08));
        Assert.Equal(1.04, KernelQuotaSizing.Ratio(104_000_000, 100_000_000, 1.08), 6);
        Assert.Equal(KernelQuotaSizing.MaxRatio, KernelQuotaSizing.Ratio(900_000_000, 100_000_000, 1.08));
    }

    [Fact]
    public void Resize_ChangesOnlyTheQuotasAllowance() =>
        Assert.Equal("add quota inet traffic_monitor_quota remaining { over 12345 bytes; }\n", QuotaStep.Resize(12345));

    [Fact]
    public void Predicted_ExhaustedQuota_IsWhereTheCountersAreNow() =>
        Assert.Equal(900, KernelQuotaSizing.Predicted(900, 1000, 1500, 1.05));

    [Fact]
    public void ParseQuotaJson_Nft106Output_ReadsBytesAndUsed()
    {
        const string json = """{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"quota": {"family": "inet", "name": "remaining", "table": "traffic_monitor_quota", "handle": 4, "bytes": 1000000, "used": 2500, "inv": true}}]}""";
        Assert.Equal((1_000_000L, 2500L), KernelQuotaSizing.ParseQuotaJson(json));
    }

    [Fact]
    public void BlockBuild_RootInAGroupOfItsOwn_LetsOnlyThatGroupOut()
    {
        var own = new ProcessCredentials("0", "997");
        var text = BlockStep.Build(AllowedTraffic.Default, own);

        Assert.Contains("\t\tmeta skgid { 997 } accept\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("skuid", text, StringComparison.Ordinal);
        Assert.Null(AllowedTraffic.Default.Warning(own, "the block"));
    }

    [Fact]
    public void Warning_RootInGroupRoot_SaysEveryRootProcessPasses()
    {
        var root = new ProcessCredentials("0", "0");

        Assert.Contains("\t\tmeta skuid { 0 } accept\n", BlockStep.Build(AllowedTraffic.Default, root), StringComparison.Ordinal);
        Assert.Contains("every root process's traffic passes", AllowedTraffic.Default.Warning(root, "the block"), StringComparison.Ordinal);
        Assert.Null(new AllowedTraffic([22], ["traffic-monitor"]).Warning(root, "the block"));
        Assert.Null(AllowedTraffic.Default.Warning(Monitor, "the block"));
    }

    [Fact]
    public void ParseCredentials_ProcStatus_TakesTheEffectiveIds() =>
        Assert.Equal(new ProcessCredentials("998", "997"), ProcessCredentials.Parse("Name:\tdotnet\nUid:\t0\t998\t998\t998\nGid:\t0\t997\t997\t997\n"));

    [Fact]
    public void BlockRead_NoKeys_AllowsPort22AndTheMonitorsOwnUser()
    {
        var options = BlockOptions.Read(Rule("do: block"), Context)!;

        Assert.Equal([22], options.Allowed.SshPorts);
        Assert.Empty(options.Allowed.Users);
        Assert.Empty(_problems);
    }

    [Fact]
    public void BlockRead_BadPortsAndUsers_NameEachItemByKeyPath()
    {
        var options = BlockOptions.Read(Rule("do: block\nallow_ports: [22, 70000, ssh]\nallow_users: [\"x y\", traffic-monitor]\nallow_groups: [\"{a}\", 997]"), Context);

        Assert.Null(options);
        Assert.Equal(
            ["actions.rules[0].allow_ports[1]", "actions.rules[0].allow_ports[2]", "actions.rules[0].allow_users[0]", "actions.rules[0].allow_groups[0]"],
            _problems.Select(p => p.Path));
        Assert.Contains("'70000' is not a TCP port", _problems[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BlockRead_EmptyPortList_IsAProblemNotASshLockout()
    {
        var options = BlockOptions.Read(Rule("do: block\nallow_ports: []"), Context);

        Assert.Equal("actions.rules[0].allow_ports", Assert.Single(_problems).Path);
        Assert.Null(options);
    }

    [Fact]
    public void QuotaRead_ArmAtAndMargin_ArmsThereAndKeepsTheMargin()
    {
        var options = QuotaOptions.Read(Rule("do: quota\nat: \"100%\"\narm_at: \"90%\"\nmargin: 100 MB"), Context)!;

        Assert.Empty(_problems);
        Assert.Equal(100_000_000, options.MarginBytes(Thresholds.TotalLimit.Bytes));
        Assert.Equal(1_800_000_000, options.StartsAt(2_000_000_000, Thresholds));
    }

    [Fact]
    public void QuotaRead_NoArmAt_ArmsOnePercentAtLeast1GiBBeforeAtWithAQuarterPercentMargin()
    {
        var options = QuotaOptions.Read(Rule("do: quota\nat: \"100%\""), Context)!;

        Assert.Equal(2_000_000_000 - (1L << 30), options.StartsAt(2_000_000_000, Thresholds));
        Assert.Equal(2_000_000_000_000 - 20_000_000_000, options.StartsAt(2_000_000_000_000, Thresholds.WithTotalLimit(2_000_000_000_000)));
        Assert.Equal(5_000_000, options.MarginBytes(2_000_000_000));
    }

    [Fact]
    public void QuotaRead_ArmAtNotBeforeAt_NamesTheKeyAndWhatEachMeans()
    {
        Assert.Null(QuotaOptions.Read(Rule("do: quota\nat: \"95%\"\narm_at: \"95%\""), Context));

        var problem = Assert.Single(_problems);
        Assert.Equal("actions.rules[0].arm_at", problem.Path);
        Assert.Contains("at is where the kernel stops traffic, arm_at where its quota is installed ahead of it", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void QuotaRead_MarginAsLargeAsAt_IsAProblem()
    {
        Assert.Null(QuotaOptions.Read(Rule("do: quota\nat: 1 GB\nmargin: 2 GB\n"), Context));

        Assert.Equal("actions.rules[0].margin", Assert.Single(_problems).Path);
    }

    private static readonly ThresholdsOptions Thresholds = new()
    {
        TotalLimit = new ByteSize(2_000_000_000, UnitSystem.Decimal), Interval = new ByteSize(100_000_000, UnitSystem.Decimal), CriticalPercentage = 90,
    };

    private static StepReadContext Context => new(new ShutdownActionOptions(), Thresholds);

    private SectionReader Rule(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader("actions:\n  rules:\n    - " + string.Join("\n      ", yaml.Split('\n'))));
        var top = new SectionReader(stream.Documents[0].RootNode, string.Empty, _problems);
        var rule = top.Section("actions").SectionList("rules")![0];
        rule.String("do");
        return rule;
    }
}
