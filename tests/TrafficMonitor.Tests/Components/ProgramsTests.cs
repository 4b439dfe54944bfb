using System.Diagnostics;

namespace TrafficMonitor.Tests.Components;

/// <summary>A helper program that hangs fails its test within its timeout instead of holding the suite until CI's limit.</summary>
public sealed class ProgramsTests
{
    [Fact]
    public void TryRun_PastItsTimeout_IsKilledAndSaysSo()
    {
        var elapsed = Stopwatch.StartNew();

        var error = Assert.Throws<TimeoutException>(() => Programs.TryRun(TimeSpan.FromSeconds(1), "sleep", "30"));

        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(20), $"took {elapsed.Elapsed}");
        Assert.Contains("sleep 30 did not finish within 1 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRun_AChildLeftHoldingItsOutput_StillEndsAtTheTimeout()
    {
        var elapsed = Stopwatch.StartNew();

        Assert.Throws<TimeoutException>(() => Programs.TryRun(TimeSpan.FromSeconds(1), "sh", "-c", "sleep 5 & echo started"));

        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(20), $"took {elapsed.Elapsed}");
    }

    [Fact]
    public void TryRun_ReturnsWhatItPrinted() =>
        Assert.Equal((3, "out\n", "err\n"), Programs.TryRun("sh", "-c", "echo out; echo err >&2; exit 3"));
}
