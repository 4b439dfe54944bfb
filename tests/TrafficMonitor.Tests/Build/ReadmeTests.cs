using System.Text.RegularExpressions;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Build;

/// <summary>
/// The README's first command is what a new user runs before reading anything else: it must not act on the machine
/// while the shipped example still says "shutdown at 90%", and every <c>dotnet run</c> example must hand its options
/// to the monitor (after <c>--</c>), not to <c>dotnet run</c> (whose own <c>-c</c> is the build configuration).
/// </summary>
public partial class ReadmeTests
{
    private static readonly string Root = Readme.Root;

    private static IEnumerable<string> DotnetRunLines() =>
        Directory.GetFiles(Root, "*.md", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(File.ReadLines)
            .SelectMany(line => DotnetRun().Matches(line).Select(m => m.Value));

    [Fact]
    public void Readme_RunCommand_IsADryRunOfTheShippedExample()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var runIt = readme[readme.IndexOf("## Run it", StringComparison.Ordinal)..];
        var command = DotnetRun().Match(runIt).Value;

        Assert.Equal("dotnet run --project src/TrafficMonitor -- --dry-run", command);
        // The shipped example really is the one that would shut down at 90%: the dry run is what keeps it safe.
        var example = File.ReadAllText(Path.Combine(Root, "config", "settings.yaml"));
        Assert.Contains("critical_percentage: 90", example, StringComparison.Ordinal);
        Assert.Contains("smtp.example.com", example, StringComparison.Ordinal);
    }

    /// <summary>
    /// The README's example ladder, as a user pastes it under the README's thresholds: it loads on Linux, and its quota stops traffic at 100%.
    /// </summary>
    [Fact]
    public void Readme_ExampleLadder_LoadsAndItsQuotaStopsAtTheLimitArmedAhead()
    {
        var rules = Readme.LadderRules();

        var settings = TrafficMonitor.Configuration.ConfigLoader.Parse(
            "thresholds: {total_limit: 2000, interval: 100, critical_percentage: 90}\nactions:\n  rules:\n" + string.Join("\n", rules.Select(r => "    " + r)),
            "README.md", "/var/lib/traffic-monitor", platform: TrafficMonitor.Platform.HostPlatform.Linux);

        Assert.Equal(["throttle@80%", "block@95%", "quota@100%"], settings.Rules.Select(r => r.Id));
        var quota = settings.Rules[2];
        Assert.Equal(2000 * TrafficMonitor.Configuration.ByteSize.BytesPerGiB, quota.AtBytes);
        Assert.Equal(1980 * TrafficMonitor.Configuration.ByteSize.BytesPerGiB, quota.StartsIn(settings.Thresholds));
    }

    [Fact]
    public void Docs_EveryDotnetRun_PassesTheMonitorsOptionsAfterDoubleDash()
    {
        var lines = DotnetRunLines().ToList();

        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var separator = Array.IndexOf(words, "--");
            var own = separator < 0 ? words : words[..separator];
            // Before "--" only dotnet run's own "--project PATH" (and a configuration) may appear.
            Assert.True(own.Skip(2).Where(w => w.StartsWith('-')).All(w => w is "--project" or "--configuration"), $"options before '--' in: {line}");
        }
    }

    [GeneratedRegex(@"dotnet run[^`\n]*")]
    private static partial Regex DotnetRun();
}
