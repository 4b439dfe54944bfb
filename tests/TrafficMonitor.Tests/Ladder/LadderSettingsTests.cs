using TrafficMonitor.Configuration;
using TrafficMonitor.Enforcement;
using TrafficMonitor.Platform;

namespace TrafficMonitor.Tests.Ladder;

/// <summary>actions.rules as the settings loader reads it: each problem named by its key, every one at once.</summary>
public class LadderSettingsTests
{
    private const long GiB = ByteSize.BytesPerGiB;
    private const string Thresholds = "thresholds: {total_limit: 1000, interval: 100, critical_percentage: 90}\n";

    private static TrafficMonitorSettings Parse(string actions, HostPlatform? platform = null) =>
        ConfigLoader.Parse(Thresholds + actions, "test.yaml", "/var/lib/traffic-monitor", platform: platform ?? HostPlatform.Linux);

    private static ConfigProblem ProblemAt(string actions, string path, HostPlatform? platform = null)
    {
        var problems = Assert.Throws<ConfigException>(() => Parse(actions, platform)).Problems;
        return Assert.Single(problems, p => p.Path == path);
    }

    [Fact]
    public void Parse_NoRules_KeepsTheShutdownAtTheCriticalPoint()
    {
        var settings = Parse("actions: {shutdown: {delay: 2m}}");

        Assert.Empty(settings.Rules);
        Assert.Equal(TimeSpan.FromMinutes(2), settings.Shutdown.Delay);
    }

    [Fact]
    public void Parse_CommandAndShutdownRules_ReadsPointsIdsAndOptions()
    {
        var settings = Parse("""
            actions:
              shutdown: {delay: 5m, boot_grace: 20m}
              rules:
                - at: "80%"
                  do: command
                  run: [/usr/local/bin/slow-down, "10 Mbit"]
                  undo: [/usr/local/bin/slow-down, "off"]
                - at: "950 GiB"
                  do: command
                  id: tell-the-team
                  run: [/usr/local/bin/page]
                - at: "100%"
                  do: shutdown
                  delay: 1m
            """);

        Assert.Collection(settings.Rules,
            r =>
            {
                Assert.Equal(("command@80%", 800 * GiB), (r.Id, r.AtBytes));
                var options = Assert.IsType<CommandStepOptions>(r.Options);
                Assert.Equal(["/usr/local/bin/slow-down", "10 Mbit"], options.Run);
                Assert.Equal(["/usr/local/bin/slow-down", "off"], options.Undo!);
                Assert.True(options.Revertible);
            },
            r =>
            {
                Assert.Equal(("tell-the-team", 950 * GiB), (r.Id, r.AtBytes));
                Assert.False(r.Options.Revertible);
            },
            r =>
            {
                Assert.Equal(("shutdown", 1000 * GiB), (r.Id, r.AtBytes));
                var shutdown = Assert.IsType<ShutdownStepOptions>(r.Options).Shutdown;
                Assert.Equal(TimeSpan.FromMinutes(1), shutdown.Delay);
                Assert.Equal(TimeSpan.FromMinutes(20), shutdown.BootGrace); // from actions.shutdown
            });
    }

    [Fact]
    public void Parse_PointsNotAscending_IsRefusedAtTheLaterRule() =>
        Assert.Contains("ascending order", ProblemAt("""
            actions:
              rules:
                - {at: "95%", do: command, run: [/bin/true]}
                - {at: "80%", do: command, run: [/bin/false]}
            """, "actions.rules[1].at").Message, StringComparison.Ordinal);

    [Fact]
    public void Parse_TotalLimitProvider_OrdersPercentagesAndSizesEachAmongThemselves()
    {
        // The provider's limit is not known at load: 50% may be before or after 30 TiB. Within one form, order still counts.
        const string Provider = "thresholds: {total_limit: provider, interval: 100, critical_percentage: 90}\nprovider_api: {kind: hetzner, server_id: 42}\n";
        var settings = ConfigLoader.Parse(Provider + """
            actions:
              rules:
                - {at: "50%", do: command, run: [/bin/true]}
                - {at: "30 TiB", do: command, run: [/bin/false]}
            """, "test.yaml", "/var/lib/traffic-monitor", _ => "token", platform: HostPlatform.Linux);
        Assert.Equal(["command@50%", "command@30 TiB"], settings.Rules.Select(r => r.Id));

        var problems = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(Provider + """
            actions:
              rules:
                - {at: "95%", do: command, run: [/bin/true]}
                - {at: "80%", do: command, run: [/bin/false]}
            """, "test.yaml", "/var/lib/traffic-monitor", _ => "token", platform: HostPlatform.Linux)).Problems;
        Assert.Contains(problems, p => p.Path == "actions.rules[1].at" && p.Message.Contains("ascending order", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_TwoRulesAtOnePoint_AreAllowedWithTheirOwnIds() =>
        Assert.Equal(2, Parse("""
            actions:
              rules:
                - {at: "95%", do: command, run: [/bin/true]}
                - {at: "95%", do: command, id: second, run: [/bin/false]}
            """).Rules.Count);

    [Fact]
    public void Parse_TwoRulesOfOneKindAtOnePointWithoutIds_AskForIds() =>
        Assert.Contains("give each rule its own id", ProblemAt("""
            actions:
              rules:
                - {at: "95%", do: command, run: [/bin/true]}
                - {at: "95%", do: command, run: [/bin/false]}
            """, "actions.rules[1].at").Message, StringComparison.Ordinal);

    [Fact]
    public void Parse_UnknownKind_ListsTheKinds() =>
        Assert.Equal("'reboot' is not a kind of step: use one of command, shutdown, throttle, block, quota",
            ProblemAt("actions: {rules: [{at: \"90%\", do: reboot}]}", "actions.rules[0].do").Message);

    [Theory]
    [InlineData("block", "macOS")]
    [InlineData("block", "Windows")]
    [InlineData("quota", "macOS")]
    [InlineData("quota", "Windows")]
    public void Parse_NftablesKindOffLinux_NamesTheOSAndWhatRunsThere(string kind, string os) =>
        Assert.Equal($"'{kind}' needs Linux (nftables), and this is {os}: use one of command, shutdown",
            ProblemAt($"actions: {{rules: [{{at: \"90%\", do: {kind}}}]}}", "actions.rules[0].do", os == "macOS" ? HostPlatform.MacOS : HostPlatform.Windows).Message);

    [Fact]
    public void Parse_BlockAndQuotaRules_QuotaStopsAtItsPointAndIsArmedAhead()
    {
        var settings = Parse("""
            actions:
              rules:
                - {at: "95%", do: block, allow_ports: [22, 2222]}
                - {at: "100%", do: quota}
                - {at: "1000 GiB", do: quota, id: hard, arm_at: "99%", margin: 1 GiB}
            """);

        var block = Assert.IsType<TrafficMonitor.Enforcement.Linux.BlockOptions>(settings.Rules[0].Options);
        Assert.Equal([22, 2222], block.Allowed.SshPorts);
        Assert.Equal(("quota@100%", 1000 * GiB), (settings.Rules[1].Id, settings.Rules[1].AtBytes));
        Assert.Equal(990 * GiB, settings.Rules[1].StartsIn(settings.Thresholds));
        Assert.Equal((long)Math.Floor(990m * GiB), settings.Rules[2].StartsIn(settings.Thresholds));
        Assert.Equal(GiB, Assert.IsType<TrafficMonitor.Enforcement.Linux.QuotaOptions>(settings.Rules[2].Options).MarginBytes(1000 * GiB));
    }

    [Theory]
    [InlineData("arm_at: \"100%\"", "actions.rules[0].arm_at", "'100%' is not before at (100%)")]
    [InlineData("arm_at: \"99\"", "actions.rules[0].arm_at", "has no unit")]
    [InlineData("limit: 1 TiB", "actions.rules[0].limit", "unknown key")]
    [InlineData("allow_ports: []", "actions.rules[0].allow_ports", "would lock SSH out too")]
    public void Parse_BadQuotaKeys_NameTheKeyAndWhatToDo(string keys, string path, string message) =>
        Assert.Contains(message, ProblemAt($"actions: {{rules: [{{at: \"100%\", do: quota, {keys}}}]}}", path).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("95", "has no unit: write a percentage of thresholds.total_limit (\"95%\") or a size (\"95 GiB\")")]
    [InlineData("0%", "is not a percentage above 0% and at most 1000% of thresholds.total_limit")]
    [InlineData("lots", "is not a size")]
    public void Parse_BadPoint_IsRefusedAtAt(string at, string message) =>
        Assert.Contains(message, ProblemAt($"actions: {{rules: [{{at: \"{at}\", do: command, run: [/bin/true]}}]}}", "actions.rules[0].at").Message, StringComparison.Ordinal);

    [Fact]
    public void Parse_CommandWithoutRun_IsRefused() =>
        Assert.StartsWith("missing: the program to run",
            ProblemAt("actions: {rules: [{at: \"90%\", do: command}]}", "actions.rules[0].run").Message, StringComparison.Ordinal);

    [Fact]
    public void Parse_CommandAsOneStringWithSpaces_IsRefusedForNoShellWouldSplitIt() =>
        Assert.Contains("commands run without a shell",
            ProblemAt("actions: {rules: [{at: \"90%\", do: command, run: \"/usr/bin/logger quota reached\"}]}", "actions.rules[0].run").Message, StringComparison.Ordinal);

    [Fact]
    public void Parse_EmptyUndo_IsRefused() =>
        Assert.Contains("empty list",
            ProblemAt("actions: {rules: [{at: \"90%\", do: command, run: [/bin/true], undo: []}]}", "actions.rules[0].undo").Message, StringComparison.Ordinal);

    [Fact]
    public void Parse_UnknownKeyInARule_SuggestsTheKindsOwn() =>
        Assert.Equal("unknown key; did you mean 'undo'?",
            ProblemAt("actions: {rules: [{at: \"90%\", do: command, run: [/bin/true], undoo: [/bin/false]}]}", "actions.rules[0].undoo").Message);

    [Fact]
    public void Parse_SecondShutdownRule_IsRefused() =>
        Assert.Contains("second shutdown rule", ProblemAt("""
            actions:
              rules:
                - {at: "95%", do: shutdown}
                - {at: "99%", do: shutdown}
            """, "actions.rules[1].at").Message, StringComparison.Ordinal);

    [Fact]
    public void Parse_ShutdownRuleWithEnabled_IsAnUnknownKey() =>
        Assert.NotNull(ProblemAt("actions: {rules: [{at: \"95%\", do: shutdown, enabled: false}]}", "actions.rules[0].enabled"));

    [Fact]
    public void Parse_SeveralBadRules_ReportsEveryProblemAtOnce()
    {
        var problems = Assert.Throws<ConfigException>(() => Parse("""
            actions:
              rules:
                - {at: "80%", do: throttle}
                - {at: "90", do: command, run: [/bin/true]}
                - {do: command, run: [/bin/true]}
            """)).Problems.Select(p => p.Path).ToList();

        Assert.Equal(["actions.rules[0].rate", "actions.rules[1].at", "actions.rules[2].at"], problems);
    }

    [Fact]
    public void Format_Rules_PrintsEachStepWithItsPointInBytes()
    {
        var text = SettingsPrinter.Format(Parse("actions: {rules: [{at: \"80%\", do: command, run: [/bin/true], undo: [/bin/false]}]}"));

        Assert.Contains("    - at: 80%   # 800 GiB, 858993459200 bytes", text, StringComparison.Ordinal);
        Assert.Contains("      id: command@80%", text, StringComparison.Ordinal);
        Assert.Contains("      undo: [/bin/false]", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Warnings_CommandThatDoesNotExist_IsToldBeforeItIsDue() =>
        Assert.Contains("actions.rules[0].undo: '/nonexistent/undo' does not exist, so this step will fail when it is due",
            SettingsAdvisor.Warnings(Parse("actions: {rules: [{at: \"90%\", do: command, run: [/bin/true], undo: [/nonexistent/undo]}]}")));
}
