using TrafficMonitor.Configuration;

namespace TrafficMonitor.Tests.Configuration;

/// <summary>
/// Settings that parse but cannot work are refused at load, by key path: before, each of these was accepted and
/// then silently dropped a channel, ran the real OS shutdown, made work explode or overflowed a date at run time.
/// </summary>
public class UnworkableSettingsTests
{
    private const string Thresholds = "thresholds: {total_limit: 100, interval: 10, critical_percentage: 90}\n";

    private static TrafficMonitorSettings Parse(string yaml) => ConfigLoader.Parse(yaml, "test.yaml", "/var/lib/traffic-monitor");

    private static ConfigProblem ProblemAt(string yaml, string path)
    {
        var problems = Assert.Throws<ConfigException>(() => Parse(yaml)).Problems;
        return Assert.Single(problems, p => p.Path == path);
    }

    [Theory]
    [InlineData("email: {smtp_server: \"\", sender: a@b, recipients: [a@b]}", "email.smtp_server")]
    [InlineData("email: {smtp_server: \" \", sender: a@b, recipients: [a@b]}", "email.smtp_server")]
    [InlineData("email: {smtp_server: x, sender: \" \", recipients: [a@b]}", "email.sender")]
    [InlineData("email: {smtp_server: x, sender: a@b, recipients: [a@b], username: u, password: \"\"}", "email.password")]
    [InlineData("webhooks: [{url: \" \"}]", "webhooks[0].url")]
    [InlineData("webhooks: [{url: \"\"}]", "webhooks[0].url")]
    [InlineData("telegram: {bot_token: \"1:a\", chat_id: \"\"}", "telegram.chat_id")]
    [InlineData("telegram: {bot_token: \" \", chat_id: \"1\"}", "telegram.bot_token")]
    [InlineData("monitor: {state_dir: \" \"}", "monitor.state_dir")]
    [InlineData("monitor: {interfaces: [eth0, \" \"]}", "monitor.interfaces[1]")]
    [InlineData("vnstat: {dbdir: \"\"}", "vnstat.dbdir")]
    [InlineData("vnstat: {config: \" \"}", "vnstat.config")]
    public void Parse_BlankString_IsRefusedAtItsKey(string section, string path)
    {
        var problem = ProblemAt(Thresholds + section, path);

        Assert.Contains("empty", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BlankSmtpServer_SaysWhatToWrite() =>
        Assert.Equal(
            "is empty: write the SMTP server's host name, e.g. smtp.example.com",
            ProblemAt(Thresholds + "email: {smtp_server: \"\", sender: a@b, recipients: [a@b]}", "email.smtp_server").Message);

    [Fact]
    public void Parse_MissingSmtpServer_KeepsItsMessage() =>
        Assert.Equal(
            "missing: the SMTP server's host name, e.g. smtp.example.com",
            ProblemAt(Thresholds + "email: {sender: a@b, recipients: [a@b]}", "email.smtp_server").Message);

    [Theory]
    [InlineData("[]")]
    [InlineData("\"\"")]
    [InlineData("[\" \"]")]
    public void Parse_EmptyShutdownCommand_IsRefusedNotTheOsShutdown(string command)
    {
        var problem = ProblemAt(Thresholds + $"actions: {{shutdown: {{command: {command}}}}}", command == "[\" \"]" ? "actions.shutdown.command[0]" : "actions.shutdown.command");

        Assert.Contains("empty", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NoShutdownCommand_IsStillTheOsShutdown() =>
        Assert.Empty(Parse(Thresholds + "actions: {shutdown: {delay: 1m}}").Shutdown.Command);

    [Fact]
    public void Parse_MoreThanAThousandStages_IsRefusedWithTheMaximumAndAnInterval()
    {
        var problem = ProblemAt("thresholds: {total_limit: 100, interval: \"1 B\", critical_percentage: 90}", "thresholds.interval");

        Assert.Equal(
            "1 B makes 107374182400 stages up to thresholds.total_limit (100 GiB): at most 1000 are allowed, so use an interval of at least 102.4 MiB",
            problem.Message);
    }

    [Theory]
    [InlineData("100", "\"103 MiB\"")]
    [InlineData("\"1 TB\"", "\"1 GB\"")]
    [InlineData("\"1 B\"", "\"1 B\"")]
    public void Parse_AThousandStagesOrFewer_AreAllowed(string limit, string interval) =>
        Assert.Equal(interval.Trim('"'), Parse($"thresholds: {{total_limit: {limit}, interval: {interval}, critical_percentage: 100}}").Thresholds.Interval.ToString());

    [Fact]
    public void Parse_SuggestedInterval_IsRoundedUpSoItIsAllowed()
    {
        // A thousandth of the limit is 1.234567 GB: printed rounded to the nearest hundredth (1.23 GB) it would still
        // make more than 1000 stages, so the suggestion is rounded up.
        var problem = ProblemAt("thresholds: {total_limit: \"1234.567 GB\", interval: \"1 MB\", critical_percentage: 90}", "thresholds.interval");

        Assert.EndsWith("use an interval of at least 1.24 GB", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CriticalPointOfZeroBytes_IsRefused()
    {
        var problem = ProblemAt("thresholds: {total_limit: \"1 B\", interval: \"1 B\", critical_percentage: 50}", "thresholds.critical_percentage");

        Assert.Contains("0 B", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("notifications: {expire: 3000000d}", "notifications.expire", "31d")]
    [InlineData("email: {smtp_server: x, sender: a@b, recipients: [a@b], timeout: 99999999999999d}", "email.timeout", "10m")]
    [InlineData("webhooks: [{url: \"https://hooks.test.invalid/x\", timeout: 99999999999999d}]", "webhooks[0].timeout", "10m")]
    [InlineData("telegram: {bot_token: \"1:a\", chat_id: \"1\", timeout: 99999999999999d}", "telegram.timeout", "10m")]
    [InlineData("actions: {shutdown: {boot_grace: 3000000d}}", "actions.shutdown.boot_grace", "31d")]
    [InlineData("actions: {shutdown: {delay: 3000000d}}", "actions.shutdown.delay", "1d")]
    [InlineData("monitor: {check_interval: 3000000d}", "monitor.check_interval", "1d")]
    [InlineData("monitor: {checkpoint_interval: 3000000d}", "monitor.checkpoint_interval", "1d")]
    [InlineData("monitor: {check_interval: 25h}", "monitor.check_interval", "1d")]
    [InlineData("monitor: {check_interval: \"99999999999999999999999999\"}", "monitor.check_interval", "1d")]
    [InlineData("monitor: {check_interval: \"99999999999999999999999999ms\"}", "monitor.check_interval", "1d")]
    public void Parse_DurationAboveItsBound_IsRefusedWithTheBound(string section, string path, string bound) =>
        Assert.EndsWith($"is too long: use at most {bound}", ProblemAt(Thresholds + section, path).Message, StringComparison.Ordinal);

    [Fact]
    public void Parse_DurationsAtTheirBounds_AreAccepted()
    {
        var settings = Parse(Thresholds + """
            email: {smtp_server: x, sender: a@b, recipients: [a@b], timeout: 10m}
            webhooks: [{url: "https://hooks.test.invalid/x", timeout: 600s}]
            telegram: {bot_token: "1:a", chat_id: "1", timeout: 10m}
            notifications: {expire: 31d}
            monitor: {check_interval: 24h, checkpoint_interval: 1d}
            actions: {shutdown: {boot_grace: 31d, delay: 1d, command: [/bin/true]}}
            """);

        Assert.Equal(TimeSpan.FromDays(31), settings.Notifications.Expire);
        Assert.Equal(TimeSpan.FromDays(31), settings.Shutdown.BootGrace);
        Assert.Equal(TimeSpan.FromMinutes(10), settings.Webhooks[0].Timeout);
    }
}
