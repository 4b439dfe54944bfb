using System.Diagnostics;
using System.Text;
using TrafficMonitor.Configuration;

namespace TrafficMonitor.Tests.Configuration;

/// <summary>A settings file cannot be used to exhaust the machine, nor to flood the terminal through an error message.</summary>
public class YamlLimitsTests
{
    private const string Thresholds = "thresholds: {total_limit: 100, interval: 10, critical_percentage: 90}\n";

    private static TrafficMonitorSettings Parse(string yaml) => ConfigLoader.Parse(yaml, "test.yaml", "/var/lib/traffic-monitor");

    private static IReadOnlyList<ConfigProblem> Problems(string yaml) =>
        Assert.Throws<ConfigException>(() => Parse(yaml)).Problems;

    /// <summary>Anchors a..(levels) where each holds ten aliases of the one before: 10^levels values once expanded.</summary>
    private static string Bomb(int levels)
    {
        var yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i < levels; i++)
        {
            yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        }

        return yaml.ToString();
    }

    [Fact]
    public void Parse_AliasAsAKey_IsRefusedAndNotExpandedIntoTheMessage()
    {
        // 10^3 values: few enough to pass the cap on expanded values, so it is the key rule that refuses it.
        var problems = Problems(Thresholds + Bomb(3) + "? *a2\n: 1\n");

        var problem = Assert.Single(problems, p => p.Path == "(yaml)");
        Assert.Equal(5, problem.Line);
        Assert.Contains("alias", problem.Message, StringComparison.Ordinal);
        Assert.All(problems, p => Assert.True(p.ToString().Length < 300, $"a message of {p.ToString().Length} characters"));
    }

    [Fact]
    public async Task Parse_NineLevelAliasBombAsKey_IsRefusedAtOnce()
    {
        var yaml = Thresholds + Bomb(9) + "? *a8\n: 1\n";

        // Before, this ran for minutes at 1.4 GB; bounded here so that a regression fails instead of hanging the run.
        var problems = await Task.Run(() => Problems(yaml)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains(problems, p => p.Path == "(yaml)");
    }

    [Fact]
    public void Parse_AliasesExpandingToTooManyValues_AreRefused()
    {
        var watch = Stopwatch.StartNew();
        var problems = Problems(Thresholds + Bomb(6) + "email: {recipients: *a5}\n");

        var problem = Assert.Single(problems);
        Assert.Equal("(yaml)", problem.Path);
        Assert.Contains("10000", problem.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Parse_AListOrSectionAsAKey_IsRefused() =>
        Assert.Contains(Problems(Thresholds + "? [a, b]\n: 1\n"), p => p.Path == "(yaml)" && p.Line == 2);

    [Fact]
    public void Parse_NestingTooDeep_IsAProblemNotAStackOverflow()
    {
        var problem = Assert.Single(Problems(Thresholds + "x: " + new string('[', 100_000) + new string(']', 100_000) + "\n"));

        Assert.Equal("(yaml)", problem.Path);
        Assert.Contains("deep", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AliasesOfValues_StillWork()
    {
        var settings = Parse(Thresholds + """
            email: {smtp_server: x, sender: a@b, recipients: &admins [a@b, c@d]}
            webhooks: [{url: "https://hooks.test.invalid/x", timeout: &t 5s}]
            telegram: {bot_token: "1:a", chat_id: "1", timeout: *t}
            """);

        Assert.Equal(["a@b", "c@d"], settings.Email!.Recipients);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.Telegram!.Timeout);
    }

    [Fact]
    public void Parse_LongValueInAMessage_IsCutTo100CharactersWithAnEllipsis()
    {
        var problem = Assert.Single(Problems(Thresholds + $"monitor: {{provider: {new string('p', 5000)}}}\n"));

        Assert.StartsWith($"'{new string('p', 100)}…' is not a known provider", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LongUnknownKey_IsCutInThePath()
    {
        // YAML allows implicit keys up to 1024 characters.
        var problem = Assert.Single(Problems(Thresholds + $"{new string('k', 1000)}: 1\n"));

        Assert.Equal(new string('k', 100) + "…", problem.Path);
    }

    [Theory]
    [InlineData("monitor: {check_interval: LONG}", "monitor.check_interval")]
    [InlineData("email: {smtp_server: x, sender: a@b, recipients: [LONG]}", "email.recipients")]
    [InlineData("actions: {shutdown: {command: \"LONG with spaces\"}}", "actions.shutdown.command")]
    [InlineData("notifications: {daily_report: LONG}", "notifications.daily_report")]
    public void Parse_LongValuesInEveryQuotingMessage_AreCut(string section, string path)
    {
        var problems = Problems(Thresholds + section.Replace("LONG", new string('v', 5000), StringComparison.Ordinal));

        var problem = Assert.Single(problems, p => p.Path == path);
        Assert.True(problem.Message.Length < 400, $"a message of {problem.Message.Length} characters");
    }
}
