namespace TrafficMonitor.Tests.Components;

/// <summary>Builds settings YAML for tests: the thresholds, a state dir and a vnStat database, plus any extra sections.</summary>
public static class TestSettings
{
    public static string Yaml(
        string stateDir,
        string? vnstatConfig = null,
        string totalLimit = "\"100 GB\"",
        string interval = "\"10 GB\"",
        string criticalPercentage = "90",
        string? shutdownCommand = null,
        string extra = "",
        string monitor = "")
    {
        // A test that builds a vnStat database means to test vnStat, not whatever provider "auto" would pick.
        if (vnstatConfig is not null && !monitor.Contains("provider:", StringComparison.Ordinal))
        {
            monitor = "provider: vnstat\n" + monitor;
        }

        var yaml = $"""
            thresholds:
              total_limit: {totalLimit}
              interval: {interval}
              critical_percentage: {criticalPercentage}
            monitor:
              state_dir: "{stateDir}"
            {Indent(monitor)}
            """;
        if (vnstatConfig is not null)
        {
            yaml += $"\nvnstat:\n  config: \"{vnstatConfig}\"\n";
        }

        yaml += shutdownCommand is null
            ? "\nactions:\n  shutdown:\n    enabled: false\n"
            : $"\nactions:\n  shutdown:\n    command: {shutdownCommand}\n";
        return yaml + "\n" + extra + "\n";
    }

    /// <summary>An email section for the SMTP server the test started on <paramref name="port"/> (no TLS, no AUTH).</summary>
    public static string Email(int port, string? timeout = "5s") =>
        $"email:\n  smtp_server: 127.0.0.1\n  smtp_port: {port}\n  security: none\n  sender: monitor@test.invalid\n  recipients: [admin@test.invalid]\n"
        + (timeout is null ? string.Empty : $"  timeout: {timeout}\n");

    private static string Indent(string lines) =>
        string.Join("\n", lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "  " + l.Trim()));
}
