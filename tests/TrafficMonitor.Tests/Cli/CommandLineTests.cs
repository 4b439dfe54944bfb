using System.Text.RegularExpressions;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Cli;

/// <summary>The command line's contract: exit codes, config lookup, messages, and secrets kept out of output.</summary>
public class CommandLineTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string ValidConfig(string extra = "") => _directory.Write("config/settings.yaml",
        TestSettings.Yaml(_directory.Combine("state"), extra: extra));

    [Fact]
    public void CheckConfig_Valid_PrintsEffectiveSettingsWithSecretsMasked()
    {
        var config = ValidConfig("email:\n  smtp_server: mail.test\n  username: alerts\n  password: \"hunter2-Secret!\"\n  sender: a@mail.test\n  recipients: [b@mail.test]\n");

        var result = CliRunner.Run(["check-config", "--config", config, "--log-level", "trace"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("password: ********", result.Output, StringComparison.Ordinal);
        Assert.Contains("total_limit: 100 GB   # 100000000000 bytes", result.Output, StringComparison.Ordinal);
        Assert.Contains("reset_day: 1", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", result.Output + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckConfig_Invalid_ListsEveryBadKeyAndExits78WithoutAStackTrace()
    {
        var config = _directory.Write("bad.yaml", "thresholds:\n  total_limit: 100\n  interval: 0\n  critical_percentage: 120\nmonitor:\n  reset_dya: 3\n");

        var result = CliRunner.Run(["check-config", "--config", config]);

        Assert.Equal(78, result.ExitCode);
        Assert.Contains("thresholds.interval (line 3, column 13): must be more than zero", result.Error, StringComparison.Ordinal);
        Assert.Contains("thresholds.critical_percentage (line 4", result.Error, StringComparison.Ordinal);
        Assert.Contains("monitor.reset_dya (line 6, column 3): unknown key; did you mean 'reset_day'?", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckConfig_YamlSyntaxError_GivesLineAndColumn()
    {
        var config = _directory.Write("broken.yaml", "thresholds:\n  total_limit: [100\n  interval: 10\n");
        var result = CliRunner.Run(["check-config", "--config", config]);
        Assert.Equal(78, result.ExitCode);
        Assert.Matches(@"\(yaml\) \(line \d+, column \d+\): syntax error", result.Error);
    }

    [Fact]
    public void Run_BadConfig_Exits78()
    {
        var config = _directory.Write("bad.yaml", "thresholds: {total_limit: 10}\n");
        Assert.Equal(78, CliRunner.Run(["--once", "--config", config]).ExitCode);
    }

    [Fact]
    public void ConfigLookup_MissingFile_SaysWhereItLooked()
    {
        var result = CliRunner.Run(["check-config"], workingDirectory: _directory.Path);
        Assert.Equal(78, result.ExitCode);
        Assert.Contains("config/settings.yaml", result.Error, StringComparison.Ordinal);
        Assert.Contains("/etc/traffic-monitor/settings.yaml", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigLookup_PrefersTheEnvironmentVariableOverTheWorkingDirectory()
    {
        ValidConfig();
        var fromEnvironment = _directory.Write("env.yaml", TestSettings.Yaml(_directory.Combine("state"), totalLimit: "\"777 GB\""));

        var result = CliRunner.Run(["check-config"], _directory.Path, new Dictionary<string, string> { ["TRAFFIC_MONITOR_CONFIG"] = fromEnvironment });

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("777 GB", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigLookup_FindsConfigSettingsYamlInTheWorkingDirectory()
    {
        ValidConfig();
        var result = CliRunner.Run(["check-config"], _directory.Path);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains(_directory.Combine("config", "settings.yaml"), result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DEBUG")]
    [InlineData("info")]
    [InlineData("Warning")]
    [InlineData("CRITICAL")]
    [InlineData("Information")]
    public void LogLevel_OriginalAndDotNetNames_AreAccepted(string level) =>
        Assert.Equal(0, CliRunner.Run(["check-config", "--config", ValidConfig(), "--log-level", level]).ExitCode);

    [Fact]
    public void LogLevel_Unknown_IsAUsageError()
    {
        var result = CliRunner.Run(["--log-level", "loud"]);
        Assert.Equal(64, result.ExitCode);
        Assert.Contains("'loud' is not a log level", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownCommand_IsAUsageError()
    {
        var result = CliRunner.Run(["frobnicate"]);
        Assert.Equal(64, result.ExitCode);
        Assert.Contains("'frobnicate'", result.Error, StringComparison.Ordinal);
        Assert.Contains("Run 'traffic-monitor --help' for usage.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_ListsTheCommands()
    {
        var result = CliRunner.Run(["--help"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["run", "status", "history", "set-usage", "check-config", "test-notify", "test-provider", "pause", "resume", "revert-all", "install-service", "uninstall-service"], HelpNames(result.Output, "Commands:"));
        Assert.Subset(HelpNames(result.Output, "Options:").ToHashSet(), new HashSet<string> { "--config", "--log-level", "--once", "--dry-run" });
    }

    /// <summary>The names in the first column of a help section: "set-usage &lt;SIZE&gt;" gives set-usage, "-c, --config &lt;config&gt;" gives -c and --config.</summary>
    private static List<string> HelpNames(string help, string heading) =>
        help.Split('\n')
            .SkipWhile(line => line.Trim() != heading)
            .Skip(1)
            .TakeWhile(line => line.Trim().Length > 0)
            .SelectMany(line => Regex.Split(line.Trim(), @"\s{2,}")[0].Split([',', ' '], StringSplitOptions.RemoveEmptyEntries))
            .Where(name => !name.StartsWith('<'))
            .ToList();

    [Fact]
    public void Run_AtTraceLevelWithAuth_NeverPrintsThePassword()
    {
        using var smtp = new SmtpServer(new SmtpServerOptions(User: "alerts", Password: "Tr4ce-Secret"));
        using var vnstat = new VnStatDatabase();
        var today = DateOnly.FromDateTime(TimeProvider.System.GetLocalNow().DateTime);
        vnstat.AddInterface("eth0").SetMonth("eth0", today.Year, today.Month, 15_000_000_000, 0);
        var config = _directory.Write("auth.yaml", TestSettings.Yaml(_directory.Combine("state"), vnstat.ConfigFile,
            extra: $"email:\n  smtp_server: 127.0.0.1\n  smtp_port: {smtp.Port}\n  username: alerts\n  password: Tr4ce-Secret\n  sender: a@b.test\n  recipients: [c@b.test]\n"));

        var result = CliRunner.Run(["--once", "--config", config, "--log-level", "trace"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Single(smtp.WaitForMessages(1));
        Assert.DoesNotContain("Tr4ce-Secret", result.Output + result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Tr4ce-Secret", File.ReadAllText(_directory.Combine("state", "state.json")), StringComparison.Ordinal);
    }
}
