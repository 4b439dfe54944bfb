using TrafficMonitor.Enforcement.Linux;
using TrafficMonitor.Platform;

namespace TrafficMonitor.Tests.Enforcement;

/// <summary>How nft is started: with a prefix, a ruleset on standard input, and errors that say what to do.</summary>
public class NftTests
{
    [Fact]
    public void Command_WithAPrefix_PutsItBeforeNft() =>
        Assert.Equal(["ip", "netns", "exec", "tm-x", "nft", "-f", "-"], new Nft(new ProcessRunner(), ["ip", "netns", "exec", "tm-x"]).Command("-f", "-"));

    [Fact]
    public async Task ProcessRunner_StandardInput_ReachesTheProgramWhole()
    {
        var ruleset = string.Concat(Enumerable.Repeat("table inet traffic_monitor { }\n", 5000));

        var result = await new ProcessRunner().RunAsync(["cat"], ruleset, TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(ruleset, result.StandardOutput);
    }

    [Fact]
    public async Task LoadAsync_ProgramMissing_SaysToInstallNftables()
    {
        var result = await new Nft(new ProcessRunner(), ["/nonexistent/bin/env"]).LoadAsync("table inet x\n", CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("install the nftables package", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_NonZeroExit_CarriesTheCommandAndItsError()
    {
        // "false" stands in for a failing nft: the prefix runs it, and it ignores its arguments.
        var result = await new Nft(new ProcessRunner(), ["false"]).LoadAsync("table inet x\n", CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.StartsWith("'false nft -f -' exited with code 1", result.Error, StringComparison.Ordinal);
    }
}
