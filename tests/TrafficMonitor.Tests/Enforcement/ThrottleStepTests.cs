using Microsoft.Extensions.Logging.Abstractions;
using TrafficMonitor.Configuration;
using TrafficMonitor.Enforcement;
using TrafficMonitor.Enforcement.Linux;
using TrafficMonitor.Platform;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Enforcement;

/// <summary>The throttle's pure parts: its settings, the rate, the tc lines it builds and how it reads tc's output.</summary>
public class ThrottleStepTests
{
    private const string Thresholds = "thresholds: {total_limit: 1000, interval: 100, critical_percentage: 90}\n";

    private static TrafficMonitorSettings Parse(string rule, HostPlatform? platform = null) =>
        ConfigLoader.Parse(Thresholds + $"actions: {{rules: [{rule}]}}", "test.yaml", "/var/lib/traffic-monitor", platform: platform ?? HostPlatform.Linux);

    private static IReadOnlyList<ConfigProblem> Problems(string rule, HostPlatform? platform = null) =>
        Assert.Throws<ConfigException>(() => Parse(rule, platform)).Problems;

    [Theory]
    [InlineData("10 Mbit", 10_000_000)]
    [InlineData("10 Mbit/s", 10_000_000)]
    [InlineData("10mbit", 10_000_000)]
    [InlineData("10 Mbps", 10_000_000)]
    [InlineData("10 Mb/s", 10_000_000)]
    [InlineData("1.25 MB/s", 10_000_000)]
    [InlineData("500 KiB/s", 4_096_000)]
    [InlineData("500 kbit/s", 500_000)]
    [InlineData("2 Gbit", 2_000_000_000)]
    [InlineData("1 Mibit", 1_048_576)]
    [InlineData(" 64000 bit/s ", 64_000)]
    public void RateTryParse_BitsAndBytesPerSecond(string text, long bitsPerSecond)
    {
        Assert.True(ThrottleRate.TryParse(text, out var rate, out var error), error);
        Assert.Equal(bitsPerSecond, rate.BitsPerSecond);
    }

    [Theory]
    [InlineData("10", "has no unit")]
    [InlineData("fast", "is not a rate")]
    [InlineData("1.25 MB", "has an unknown unit 'MB'")]
    [InlineData("10 MBps", "has an unknown unit 'MBps'")]
    [InlineData("10 Mbit/h", "has an unknown unit")]
    [InlineData("-5 Mbit", "is not a rate")]
    [InlineData("100 bit/s", "is out of range")]
    [InlineData("5 Tbit", "is out of range")]
    public void RateTryParse_Nonsense_SaysWhatIsWrongWithAnExample(string text, string message)
    {
        Assert.False(ThrottleRate.TryParse(text, out _, out var error));
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Contains("e.g. \"10 Mbit/s\"", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10_000_000, "10 Mbit/s")]
    [InlineData(1_500_000, "1.5 Mbit/s")]
    [InlineData(4_096_000, "4.096 Mbit/s")]
    [InlineData(500_000, "500 kbit/s")]
    [InlineData(2_000_000_000, "2 Gbit/s")]
    public void RateFormat_ReadsAsBitsPerSecond(long bits, string text) => Assert.Equal(text, ThrottleRate.Format(bits));

    [Fact]
    public void Parse_ThrottleRule_ReadsRateSshAndPorts()
    {
        var rule = Assert.Single(Parse("{at: \"80%\", do: throttle, rate: \"1.25 MB/s\", allow_ports: [22, 2222]}").Rules);

        Assert.Equal("throttle@80%", rule.Id);
        var options = Assert.IsType<ThrottleStepOptions>(rule.Options);
        Assert.Equal((10_000_000, true), (options.Rate.BitsPerSecond, options.KeepSsh));
        Assert.Equal([22, 2222], options.UnthrottledPorts);
        Assert.True(options.Revertible);
    }

    [Fact]
    public void Parse_ThrottleDefaults_KeepsSshOnPort22()
    {
        var options = Assert.IsType<ThrottleStepOptions>(Assert.Single(Parse("{at: \"80%\", do: throttle, rate: 10 Mbit}").Rules).Options);

        Assert.Equal([22], options.UnthrottledPorts);
        Assert.Empty((options with { KeepSsh = false }).UnthrottledPorts);
    }

    [Fact]
    public void Parse_ThrottleWithoutRate_NamesTheKeyWithAnExample() =>
        Assert.Equal(("actions.rules[0].rate", "missing: the rate to hold both directions to, e.g. " + ThrottleRate.Example),
            Single(Problems("{at: \"80%\", do: throttle}")));

    [Fact]
    public void Parse_ThrottleBadRate_NamesTheKey()
    {
        var (path, message) = Single(Problems("{at: \"80%\", do: throttle, rate: 10}"));

        Assert.Equal("actions.rules[0].rate", path);
        Assert.StartsWith("'10' has no unit: write bits or bytes per second, e.g. \"10 Mbit/s\"", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ThrottleEveryBadKey_ToldAtOnce() =>
        Assert.Equal(
            ["actions.rules[0].rate", "actions.rules[0].keep_ssh", "actions.rules[0].allow_ports[0]", "actions.rules[0].rat"],
            Problems("{at: \"80%\", do: throttle, rate: \"lots\", keep_ssh: maybe, allow_ports: [ssh], rat: 1}").Select(p => p.Path));

    [Fact]
    public void Parse_SecondThrottleRule_IsRefusedForBothWouldOwnTheSameQdiscs() =>
        Assert.Equal(("actions.rules[1].do", "is a second throttle rule (actions.rules[0] is one): the interfaces hold one rate at a time; keep one throttle rule"),
            Single(Problems("{at: \"80%\", do: throttle, rate: 10 Mbit}, {at: \"90%\", do: throttle, id: slower, rate: 1 Mbit}")));

    [Fact]
    public void Parse_KeepSshFalseWithPorts_IsAContradiction() =>
        Assert.Contains("has no effect with keep_ssh: false",
            Assert.Single(Problems("{at: \"80%\", do: throttle, rate: 10 Mbit, keep_ssh: false, allow_ports: [22]}"), p => p.Path == "actions.rules[0].allow_ports").Message,
            StringComparison.Ordinal);

    [Fact]
    public void Parse_ThrottleEmptyPortList_WouldThrottleSsh() =>
        Assert.StartsWith("is an empty list, which would throttle SSH too",
            Assert.Single(Problems("{at: \"80%\", do: throttle, rate: 10 Mbit, allow_ports: []}")).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("Windows")]
    [InlineData("macOS")]
    public void Parse_ThrottleOffLinux_IsAnErrorNamingTheOS(string os)
    {
        var platform = os == "Windows" ? HostPlatform.Windows : HostPlatform.MacOS;

        var (path, message) = Single(Problems("{at: \"80%\", do: throttle, rate: 10 Mbit}", platform));

        Assert.Equal("actions.rules[0].do", path);
        Assert.StartsWith($"'throttle' needs Linux (tc), and this is {os}: use one of command, shutdown", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_ThrottleRule_PrintsTheRateInBitsPerSecond()
    {
        var text = SettingsPrinter.Format(Parse("{at: \"80%\", do: throttle, rate: \"1.25 MB/s\"}"));

        Assert.Contains("      do: throttle", text, StringComparison.Ordinal);
        Assert.Contains("      rate: 10 Mbit/s   # 10000000 bit/s, each direction", text, StringComparison.Ordinal);
        Assert.Contains("      keep_ssh: true", text, StringComparison.Ordinal);
        Assert.Contains("      allow_ports: [22]", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Description_BeforeAndAfterItKnowsTheInterfaces_ReadsInAMessage()
    {
        var step = new ThrottleStep("throttle@80%", 1, new ThrottleStepOptions(Rate("10 Mbit"), true, [22]), () => ["eth0"], new Tc(new HostSafeRunner()), NullLogger.Instance);
        Assert.Equal("the counted interfaces are throttled to 10 Mbit/s both ways, SSH (port 22) unthrottled", step.Description);

        step.Recall([new ThrottledInterface("eth0", "ifbtm-eth0", true, PreviousRoot.KernelDefault).Format()]);

        Assert.Equal("eth0 is throttled to 10 Mbit/s both ways, SSH (port 22) unthrottled", step.Description);
        Assert.Equal("throttle", ((IEnforcementStep)step).Kind);
        Assert.True(step.Plan.Revertible);
    }

    [Theory]
    [InlineData("eth0", "ifbtm-eth0")]
    [InlineData("enp0s31f6", "ifbtm-enp0s31f6")]
    [InlineData("enx001122334455", "ifbtm-enx")]
    public void IfbName_OursAndAtMost15Characters(string device, string start)
    {
        var name = ThrottleQdiscs.IfbName(device);

        Assert.StartsWith(start, name, StringComparison.Ordinal);
        Assert.InRange(name.Length, 1, 15);
        Assert.NotEqual(name, ThrottleQdiscs.IfbName(device + "0"));
    }

    [Theory]
    [InlineData("""[{"ifname":"ifbtm-eth0","linkinfo":{"info_kind":"ifb"},"ifalias":"traffic-monitor throttle of eth0"}]""", true)]
    [InlineData("""[{"ifname":"ifbtm-eth0","linkinfo":{"info_kind":"ifb"}}]""", false)]
    [InlineData("""[{"ifname":"ifbtm-eth0","linkinfo":{"info_kind":"ifb"},"ifalias":"traffic-monitor throttle of eth1"}]""", false)]
    [InlineData("""[{"ifname":"ifbtm-eth0","linkinfo":{"info_kind":"dummy"},"ifalias":"traffic-monitor throttle of eth0"}]""", false)]
    public void IsOurIfb_AnIfbWithOurAlias(string json, bool ours) => Assert.Equal(ours, ThrottleQdiscs.IsOurIfb(json, "eth0"));

    [Fact]
    public void Shaper_HtbWithTheRateByDefaultAndSshAtLineRateBothWaysAndFamilies()
    {
        var lines = ThrottleQdiscs.Shaper("eth0", Rate("10 Mbit"), [22]);

        Assert.Equal("qdisc replace dev eth0 root handle 7a3e: htb default 20", lines[0]);
        Assert.Equal("class replace dev eth0 parent 7a3e: classid 7a3e:20 htb rate 10000000bit ceil 10000000bit quantum 125000", lines[1]);
        Assert.Equal("class replace dev eth0 parent 7a3e: classid 7a3e:10 htb rate 100000000000bit ceil 100000000000bit quantum 200000", lines[2]);
        Assert.Equal(
            [
                "filter add dev eth0 parent 7a3e: protocol ip pref 1 u32 match ip protocol 6 0xff match ip sport 22 0xffff flowid 7a3e:10",
                "filter add dev eth0 parent 7a3e: protocol ipv6 pref 2 u32 match ip6 protocol 6 0xff match ip6 sport 22 0xffff flowid 7a3e:10",
                "filter add dev eth0 parent 7a3e: protocol ip pref 1 u32 match ip protocol 6 0xff match ip dport 22 0xffff flowid 7a3e:10",
                "filter add dev eth0 parent 7a3e: protocol ipv6 pref 2 u32 match ip6 protocol 6 0xff match ip6 dport 22 0xffff flowid 7a3e:10",
            ],
            lines.Skip(3));
        Assert.Equal(2, ThrottleQdiscs.Shaper("eth0", Rate("10 Mbit"), []).Count);
    }

    [Fact]
    public void IngressRedirect_EverythingToTheIfbAtOurPreference() =>
        Assert.Equal("filter add dev eth0 ingress pref 49152 protocol all u32 match u32 0 0 action mirred egress redirect dev ifbtm-eth0",
            ThrottleQdiscs.IngressRedirect("eth0", "ifbtm-eth0"));

    [Theory]
    [InlineData("""[{"kind":"noqueue","handle":"0:","root":true,"refcnt":2,"options":{}}]""")]
    [InlineData("""[{"kind":"mq","handle":"0:","root":true,"options":{}},{"kind":"fq_codel","handle":"0:","parent":":1","options":{"limit":10240}}]""")]
    [InlineData("""[{"kind":"pfifo_fast","handle":"0:","root":true,"refcnt":2,"options":{"bands":3,"priomap":[1,2,2,2,1,2,0,0,1,1,1,1,1,1,1,1],"multiqueue":false}}]""")]
    public void Previous_KernelDefault_IsPutBackByDeletingOurs(string json) =>
        Assert.Same(PreviousRoot.KernelDefault, ThrottleQdiscs.Previous("eth0", ThrottleQdiscs.ParseQdiscs(json), out _));

    [Theory]
    [InlineData("""{"kind":"tbf","handle":"1234:","root":true,"refcnt":3,"options":{"rate":154320,"burst":32000,"lat":296631}}""",
        "handle 1234: tbf rate 154320bps burst 32001b latency 296631us")]
    [InlineData("""{"kind":"fq_codel","handle":"8001:","root":true,"options":{"limit":10240,"flows":1024,"quantum":1514,"target":4999,"interval":99999,"memory_limit":33554432,"ecn":true,"drop_batch":64}}""",
        "handle 8001: fq_codel limit 10240 flows 1024 quantum 1514 target 5000us interval 100000us memory_limit 33554432 ecn drop_batch 64")]
    [InlineData("""{"kind":"pfifo","handle":"1:","root":true,"options":{"limit":50}}""", "handle 1: pfifo limit 50")]
    [InlineData("""{"kind":"pfifo_fast","handle":"8002:","root":true,"options":{"bands":3,"priomap":[1,2],"multiqueue":false}}""", "handle 8002: pfifo_fast")]
    public void Previous_AdminsQdisc_IsReCreatedWithItsParameters(string qdisc, string arguments)
    {
        var previous = ThrottleQdiscs.Previous("eth0", ThrottleQdiscs.ParseQdiscs($"[{qdisc}]"), out var why);

        Assert.Equal(arguments, string.Join(' ', previous!.Arguments!), StringComparer.Ordinal);
        Assert.Empty(why);
    }

    [Theory]
    [InlineData("""[{"kind":"sfq","handle":"1:","root":true,"options":{"limit":127}}]""", "eth0's root qdisc sfq 1: has the kind sfq, which the throttle could not put back exactly")]
    [InlineData("""[{"kind":"tbf","handle":"1:","root":true,"options":{"rate":125000,"burst":32768,"minburst":1600,"lat":50000}}]""", "has the option minburst (tbf)")]
    [InlineData("""[{"kind":"htb","handle":"1:","root":true,"options":{}},{"kind":"pfifo","handle":"10:","parent":"1:10","options":{"limit":5}}]""", "has qdiscs under it (pfifo 10:)")]
    public void Previous_WhatCannotBePutBackExactly_IsRefusedWithAReason(string json, string reason)
    {
        Assert.Null(ThrottleQdiscs.Previous("eth0", ThrottleQdiscs.ParseQdiscs(json), out var why));
        Assert.Contains(reason, why, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseQdiscs_OursAndTheIngress()
    {
        var qdiscs = ThrottleQdiscs.ParseQdiscs("""
            [{"kind":"htb","handle":"7a3e:","root":true,"refcnt":3,"options":{"r2q":10,"default":"0x20"}},
             {"kind":"ingress","handle":"ffff:","parent":"ffff:fff1","options":{}}]
            """);

        Assert.True(ThrottleQdiscs.IsOurs(qdiscs[0]));
        Assert.True(qdiscs[1].IsIngress);
        Assert.False(ThrottleQdiscs.IsOurs(qdiscs[1]));
        Assert.False(ThrottleQdiscs.IsOurs(new Qdisc("htb", "1:", null, true, new Dictionary<string, string>())));
    }

    [Theory]
    [InlineData("class htb 7a3e:20 root prio 0 rate 10Mbit ceil 10Mbit burst 1600b cburst 1600b ", 10_000_000L)]
    [InlineData("class htb 7a3e:10 root prio 0 rate 100Gbit ceil 100Gbit burst 0b cburst 0b \nclass htb 7a3e:20 root prio 0 rate 1234Kbit ceil 1234Kbit", 1_234_000L)]
    [InlineData("class htb 7a3e:10 root prio 0 rate 100Gbit ceil 100Gbit burst 0b cburst 0b ", null)]
    [InlineData("", null)]
    public void ClassRate_ReadsTcsText(string text, long? bits) => Assert.Equal(bits, ThrottleQdiscs.ClassRate(text, ThrottleQdiscs.ThrottledClass));

    [Fact]
    public void ParseIngressFilters_EachPreferenceWithItsRedirect()
    {
        var filters = ThrottleQdiscs.ParseIngressFilters("""
            [{"protocol":"ip","pref":10,"kind":"u32","chain":0},
             {"protocol":"all","pref":49152,"kind":"u32","chain":0},
             {"protocol":"all","pref":49152,"kind":"u32","chain":0,"options":{"fh":"800::800","actions":[{"order":1,"kind":"mirred","mirred_action":"redirect","direction":"egress","to_dev":"ifbtm-eth0"}]}}]
            """);

        Assert.Equal([(10, null), (49152, "ifbtm-eth0")], filters);
        Assert.True(ThrottleQdiscs.IsOurRedirect(filters[1], "ifbtm-eth0"));
        Assert.False(ThrottleQdiscs.IsOurRedirect(filters[1], "ifbtm-eth1"));
        Assert.True(ThrottleQdiscs.IsOurRedirect((49152, "*"), "ifbtm-eth0"));
        Assert.Empty(ThrottleQdiscs.ParseIngressFilters(""));
    }

    [Theory]
    [InlineData(true, null)]
    [InlineData(false, "handle 1234: tbf rate 154320bps burst 32001b latency 296631us")]
    public void ThrottledInterface_FormatAndParse_RoundTrip(bool ownIngress, string? arguments)
    {
        var held = new ThrottledInterface("eth0", "ifbtm-eth0", ownIngress, arguments is null ? PreviousRoot.KernelDefault : new PreviousRoot(arguments.Split(' ')));

        var line = held.Format();
        var parsed = ThrottledInterface.Parse(line);

        Assert.Equal(line, parsed!.Format());
        Assert.Equal((held.Name, held.Ifb, held.OwnIngress), (parsed.Name, parsed.Ifb, parsed.OwnIngress));
        Assert.Equal(arguments is null ? "eth0 ifb=ifbtm-eth0 ingress=ours restore=default" : $"eth0 ifb=ifbtm-eth0 ingress=kept restore={arguments}", line);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/usr/local/bin/slow-down off")]
    [InlineData("eth0 ifb=x ingress=maybe restore=default")]
    public void ThrottledInterface_Parse_AnythingElse_IsNull(string line) => Assert.Null(ThrottledInterface.Parse(line));

    private static (string Path, string Message) Single(IReadOnlyList<ConfigProblem> problems) =>
        Assert.Single(problems) is var p ? (p.Path, p.Message) : default;

    private static ThrottleRate Rate(string text) =>
        ThrottleRate.TryParse(text, out var rate, out var error) ? rate : throw new ArgumentException(error);
}
