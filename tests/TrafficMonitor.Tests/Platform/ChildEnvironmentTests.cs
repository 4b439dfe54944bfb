using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Platform;

/// <summary>
/// The secrets the monitor reads from its environment stay in the monitor: vnStat and the critical action are
/// started through the real process runner by the real program, and each dumps the environment it got.
/// </summary>
public sealed class ChildEnvironmentTests : IDisposable
{
    private const long GB = 1_000_000_000;
    private const string SmtpPassword = "smtp-password-from-env";
    private const string BotToken = "123456:bot-token-from-env";

    private readonly TempDirectory _directory = new();
    private readonly VnStatDatabase _vnstat = new();

    public ChildEnvironmentTests()
    {
        var today = TimeProvider.System.GetLocalNow();
        _vnstat.AddInterface("eth0").SetMonth("eth0", today.Year, today.Month, 60 * GB, 35 * GB);
    }

    public void Dispose()
    {
        _vnstat.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public void Once_WithSecretsInTheEnvironment_NeitherVnStatNorTheActionInheritsThem()
    {
        var vnstatEnv = _directory.Combine("vnstat.env");
        var actionEnv = _directory.Combine("action.env");
        var vnstat = Script("vnstat-wrapper", $"#!/bin/sh\nenv > '{vnstatEnv}'\nexec vnstat \"$@\"\n");
        var action = Script("action", $"#!/bin/sh\nenv > '{actionEnv}'\n");
        var yaml = TestSettings.Yaml(_directory.Combine("state"), _vnstat.ConfigFile, shutdownCommand: $"[\"{action}\"]")
            .Replace("vnstat:\n", $"vnstat:\n  command: \"{vnstat}\"\n", StringComparison.Ordinal);
        var config = _directory.Write("settings.yaml", yaml);
        var environment = new Dictionary<string, string>
        {
            ["TRAFFIC_MONITOR_SMTP_PASSWORD"] = SmtpPassword,
            ["TRAFFIC_MONITOR_TELEGRAM_BOT_TOKEN"] = BotToken,
            ["TRAFFIC_MONITOR_SOME_FUTURE_SECRET"] = "future-secret",
            ["UNRELATED_VARIABLE"] = "kept",
        };

        var result = CliRunner.Run(["--once", "--config", config], environment: environment);

        Assert.Equal(0, result.ExitCode);
        foreach (var file in new[] { vnstatEnv, actionEnv })
        {
            Assert.True(File.Exists(file), $"{Path.GetFileName(file)} was not written: the child did not run. {result.Error}");
            var seen = File.ReadAllText(file);
            Assert.DoesNotContain(SmtpPassword, seen, StringComparison.Ordinal);
            Assert.DoesNotContain(BotToken, seen, StringComparison.Ordinal);
            Assert.DoesNotContain("future-secret", seen, StringComparison.Ordinal);
            Assert.DoesNotContain("TRAFFIC_MONITOR_SMTP_PASSWORD", seen, StringComparison.Ordinal);
            Assert.Contains("UNRELATED_VARIABLE=kept", seen, StringComparison.Ordinal);
            Assert.Contains("PATH=", seen, StringComparison.Ordinal);
        }
    }

    private string Script(string name, string text)
    {
        var path = _directory.Write(name, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
