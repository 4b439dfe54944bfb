using TrafficMonitor.Configuration;

namespace TrafficMonitor.Tests.Configuration;

public class ConfigLoaderTests
{
    private const string OriginalExample = """
        thresholds:
          total_limit: 2000       # Total traffic limit in GB (2TB)
          interval: 100           # Alert interval in GB
          critical_percentage: 90 # Critical threshold percentage

        email:
          smtp_server: smtp.example.com
          smtp_port: 587
          username: your_username
          password: your_password
          sender: traffic-monitor@example.com
          recipients:
            - admin@example.com
        """;

    private static TrafficMonitorSettings Parse(string yaml) => ConfigLoader.Parse(yaml, "test.yaml", "/var/lib/traffic-monitor");

    private static IReadOnlyList<ConfigProblem> Problems(string yaml) =>
        Assert.Throws<ConfigException>(() => Parse(yaml)).Problems;

    [Fact]
    public void Parse_TheOriginalExample_LoadsWithItsMeaning()
    {
        var settings = Parse(OriginalExample);
        Assert.Equal(2000L * ByteSize.BytesPerGiB, settings.Thresholds.TotalLimit.Bytes);
        Assert.Equal(100L * ByteSize.BytesPerGiB, settings.Thresholds.Interval.Bytes);
        Assert.Equal(90m, settings.Thresholds.CriticalPercentage);
        Assert.Equal("smtp.example.com", settings.Email!.SmtpServer);
        Assert.Equal(587, settings.Email.SmtpPort);
        Assert.Equal("your_password", settings.Email.Password!.Reveal());
        Assert.Equal(["admin@example.com"], settings.Email.Recipients);
        Assert.Equal(EmailSecurity.Auto, settings.Email.Security);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.Email.Timeout);
    }

    [Fact]
    public void Parse_TheShippedConfigFile_Loads()
    {
        var repositoryRoot = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(repositoryRoot, "TrafficMonitor.slnx")))
        {
            repositoryRoot = Path.GetDirectoryName(repositoryRoot)!;
        }

        var settings = ConfigLoader.Load(Path.Combine(repositoryRoot, "config", "settings.yaml"), "/tmp/state");
        Assert.Equal(2000L * ByteSize.BytesPerGiB, settings.Thresholds.TotalLimit.Bytes);
    }

    [Fact]
    public void Parse_Defaults_AreFilledIn()
    {
        var settings = Parse("thresholds: {total_limit: 10, interval: 1, critical_percentage: 95}");
        Assert.Null(settings.Email);
        Assert.Equal("auto", settings.Monitor.Provider);
        Assert.Empty(settings.Monitor.Interfaces);
        Assert.Equal(CountMode.Total, settings.Monitor.Count);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.Monitor.CheckInterval);
        Assert.Equal(1, settings.Monitor.ResetDay);
        Assert.Equal("/var/lib/traffic-monitor", settings.Monitor.StateDir);
        Assert.True(settings.Shutdown.Enabled);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.Shutdown.Delay);
        Assert.Equal(TimeSpan.FromMinutes(10), settings.Shutdown.BootGrace);
    }

    [Fact]
    public void Parse_EveryKnownKey_IsRead()
    {
        var settings = Parse("""
            thresholds: {total_limit: "2 TB", interval: "100 GB", critical_percentage: 92.5}
            email:
              smtp_server: mail.internal
              smtp_port: 465
              security: SSL
              timeout: 10s
              sender: tm@host
              recipients: ops@host
            monitor:
              provider: vnstat
              interfaces: [eth0, eth1]
              count: max
              check_interval: 30s
              reset_day: 31
              state_dir: /srv/tm
            vnstat: {command: /opt/vnstat, dbdir: /srv/db, config: /srv/vnstat.conf}
            actions:
              shutdown: {enabled: no, delay: 5m, command: [/bin/echo, bye], boot_grace: 1h}
            """);
        Assert.Equal(2_000_000_000_000L, settings.Thresholds.TotalLimit.Bytes);
        Assert.Equal(EmailSecurity.Ssl, settings.Email!.Security);
        Assert.Null(settings.Email.Username);
        Assert.Equal(["ops@host"], settings.Email.Recipients);
        Assert.Equal(["eth0", "eth1"], settings.Monitor.Interfaces);
        Assert.Equal(CountMode.Max, settings.Monitor.Count);
        Assert.Equal(31, settings.Monitor.ResetDay);
        Assert.Equal("/srv/db", settings.VnStat.DbDir);
        Assert.False(settings.Shutdown.Enabled);
        Assert.Equal(["/bin/echo", "bye"], settings.Shutdown.Command);
        Assert.Equal(TimeSpan.FromHours(1), settings.Shutdown.BootGrace);
    }

    [Theory]
    [InlineData("thresholds: {total_limit: 100, interval: 0, critical_percentage: 90}", "thresholds.interval", "more than zero")]
    [InlineData("thresholds: {total_limit: 100, interval: 200, critical_percentage: 90}", "thresholds.interval", "above thresholds.total_limit")]
    [InlineData("thresholds: {total_limit: 100, interval: 10, critical_percentage: 0}", "thresholds.critical_percentage", "outside (0, 100]")]
    [InlineData("thresholds: {total_limit: 100, interval: 10, critical_percentage: 101}", "thresholds.critical_percentage", "outside (0, 100]")]
    [InlineData("thresholds: {total_limit: -1, interval: 10, critical_percentage: 90}", "thresholds.total_limit", "negative")]
    [InlineData("thresholds: {total_limit: \"2 TQ\", interval: 10, critical_percentage: 90}", "thresholds.total_limit", "unknown unit")]
    [InlineData("thresholds: {total_limit: 100, interval: 10}", "thresholds.critical_percentage", "missing")]
    [InlineData("thresholds: {total_limit: 100, interval: 10, critical_percentage: 90}\nmonitor: {reset_day: 32}", "monitor.reset_day", "1 to 31")]
    [InlineData("thresholds: {total_limit: 100, interval: 10, critical_percentage: 90}\nmonitor: {reset_day: 0}", "monitor.reset_day", "1 to 31")]
    [InlineData("thresholds: {total_limit: 100, interval: 10, critical_percentage: 90}\nmonitor: {count: both}", "monitor.count", "not one of: total, rx, tx, max")]
    [InlineData("thresholds: {total_limit: 100, interval: 10, critical_percentage: 90}\nmonitor: {provider: netflow}", "monitor.provider", "not a known provider")]
    [InlineData("thresholds: {total_limit: 100, interval: 10, critical_percentage: 90}\nmonitor: {check_interval: soon}", "monitor.check_interval", "not a duration")]
    [InlineData("thresholds: {total_limit: 100, interval: 10, critical_percentage: 90}\nemail: {smtp_server: x, sender: a@b}", "email.recipients", "missing")]
    [InlineData("thresholds: {total_limit: 100, interval: 10, critical_percentage: 90}\nemail: {smtp_server: x, sender: a@b, recipients: []}", "email.recipients", "is empty")]
    [InlineData("thresholds: {total_limit: 100, interval: 10, critical_percentage: 90}\nemail: {smtp_server: x, sender: a@b, recipients: [a@b], security: tls}", "email.security", "not one of")]
    [InlineData("thresholds: {total_limit: 100, interval: 10, critical_percentage: 90}\nemail: {smtp_server: x, sender: a@b, recipients: [a@b], password: p}", "email.password", "AUTH needs both")]
    [InlineData("thresholds: {total_limit: 100, interval: 10, critical_percentage: 90}\nactions: {shutdown: {command: \"/sbin/shutdown -h now\"}}", "actions.shutdown.command", "as a list")]
    [InlineData("email: {smtp_server: x}", "thresholds", "missing")]
    public void Parse_BadValues_NameTheKey(string yaml, string path, string expected)
    {
        var problem = Assert.Single(Problems(yaml), p => p.Path == path);
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeveralProblems_AreAllReportedAtOnce()
    {
        var problems = Problems("""
            thresholds: {total_limit: 100, interval: 0, critical_percentage: 150}
            monitor: {reset_day: 40, count: sideways}
            """);
        Assert.Equal(["monitor.count", "monitor.reset_day", "thresholds.critical_percentage", "thresholds.interval"], problems.Select(p => p.Path).Order());
    }

    [Theory]
    [InlineData("thresholds: {total_limt: 100, interval: 10, critical_percentage: 90}", "thresholds.total_limt", "did you mean 'total_limit'?")]
    [InlineData("thresholds: {total_limit: 100, interval: 10, critical_percentage: 90}\nmonitr: {}", "monitr", "did you mean 'monitor'?")]
    [InlineData("thresholds: {total_limit: 100, interval: 10, critical_percentage: 90}\nmonitor: {resetday: 5}", "monitor.resetday", "did you mean 'reset_day'?")]
    [InlineData("thresholds: {total_limit: 100, interval: 10, critical_percentage: 90}\nemail: {smtp_server: x, sender: a@b, recipients: [a@b], use_tls: true}", "email.use_tls", "email.security")]
    public void Parse_UnknownKeys_SuggestTheClosestKnownKey(string yaml, string path, string expected)
    {
        var problem = Assert.Single(Problems(yaml), p => p.Path == path);
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_YamlSyntaxError_GivesLineAndColumn()
    {
        var problem = Assert.Single(Problems("thresholds:\n  total_limit: 100\n interval: [10\n"));
        Assert.Equal("(yaml)", problem.Path);
        Assert.NotNull(problem.Line);
        Assert.NotNull(problem.Column);
        Assert.Contains("line", problem.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("thresholds:\n  total_limit: [100\n  interval: 10\n")]
    [InlineData("thresholds: {total_limit: 100\n")]
    [InlineData("thresholds:\n\ttotal_limit: 100\n")]
    [InlineData("- just\n- a list\n")]
    [InlineData("just a sentence")]
    public void Parse_MalformedYaml_IsAConfigProblemNeverACrash(string yaml) => Assert.NotEmpty(Problems(yaml));

    [Fact]
    public void Parse_ProblemsInValues_CarryTheirLine()
    {
        var problem = Assert.Single(Problems("thresholds:\n  total_limit: 100\n  interval: 10\n  critical_percentage: 250\n"));
        Assert.Equal(4, problem.Line);
    }

    [Fact]
    public void Parse_EmptyFile_IsAProblemNotACrash() => Assert.Single(Problems(""));

    [Fact]
    public void Parse_DuplicateKeys_AreReported() =>
        Assert.Contains("(yaml)", Problems("thresholds:\n  total_limit: 1\n  total_limit: 2\n").Select(p => p.Path));

    [Fact]
    public void Password_NeverShowsInItsTextForm()
    {
        var settings = Parse(OriginalExample);
        Assert.DoesNotContain("your_password", SettingsPrinter.Format(settings), StringComparison.Ordinal);
        Assert.DoesNotContain("your_password", $"{settings.Email!.Password}", StringComparison.Ordinal);
    }
}
