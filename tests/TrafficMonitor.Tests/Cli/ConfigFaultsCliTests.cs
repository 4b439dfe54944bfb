using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Cli;

/// <summary>Hostile or unworkable settings files end check-config with exit 78 and the key, never a crash (70) or a pass.</summary>
public sealed class ConfigFaultsCliTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("email: {smtp_server: x, sender: a@b, recipients: [a@b], timeout: 99999999999999d}", "email.timeout (line")]
    [InlineData("notifications: {expire: 3000000d}", "notifications.expire (line")]
    [InlineData("email: {smtp_server: \"\", sender: a@b, recipients: [a@b]}", "email.smtp_server (line")]
    [InlineData("actions: {shutdown: {command: []}}", "actions.shutdown.command (line")]
    public void CheckConfig_UnworkableSetting_Exits78NamingTheKey(string section, string expected)
    {
        var config = _directory.Write("settings.yaml", $"thresholds: {{total_limit: 100, interval: 10, critical_percentage: 90}}\n{section}\n");

        var result = CliRunner.Run(["check-config", "--config", config]);

        Assert.Equal(78, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckConfig_NestingThatWouldOverflowTheStack_Exits78()
    {
        var config = _directory.Write("deep.yaml", "thresholds: " + new string('[', 200_000) + new string(']', 200_000) + "\n");

        var result = CliRunner.Run(["check-config", "--config", config]);

        Assert.Equal(78, result.ExitCode);
        Assert.Contains("(yaml) (line 1", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckConfig_ADirectory_SaysSo()
    {
        var result = CliRunner.Run(["check-config", "--config", _directory.Path]);

        Assert.Equal(78, result.ExitCode);
        Assert.Contains("is a directory", result.Error, StringComparison.Ordinal);
    }
}
