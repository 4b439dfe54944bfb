using TrafficMonitor.Platform;

namespace TrafficMonitor.Tests.Platform;

/// <summary>Each OS's shutdown command, built (never run) on whatever OS runs the tests.</summary>
public class ShutdownCommandTests
{
    private const string Wall = "traffic-monitor: the monthly traffic quota's critical point was reached";

    [Theory]
    [InlineData(60, "+1")]
    [InlineData(30, "+1")]
    [InlineData(61, "+2")]
    [InlineData(0, "now")]
    [InlineData(600, "+10")]
    public void Unix_Arguments_RoundsTheDelayUpToWholeMinutes(int seconds, string when) =>
        Assert.Equal(["shutdown", "-h", when, Wall], HostPlatform.Linux.Shutdown.Arguments(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void MacOS_Arguments_AreTheUnixOnes() =>
        Assert.Equal(["shutdown", "-h", "+2", Wall], HostPlatform.MacOS.Shutdown.Arguments(TimeSpan.FromSeconds(90)));

    [Theory]
    [InlineData(90, "90")]
    [InlineData(0, "0")]
    [InlineData(90.5, "91")]
    [InlineData(-5, "0")]
    public void Windows_Arguments_TakeWholeSecondsWithTheSameMessage(double seconds, string wait) =>
        Assert.Equal(["shutdown", "/s", "/t", wait, "/c", Wall], HostPlatform.Windows.Shutdown.Arguments(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData(30, true)]
    [InlineData(90, true)]
    [InlineData(120, false)]
    [InlineData(0, false)]
    public void Unix_RoundsUp_WhenTheDelayIsNotWholeMinutes(int seconds, bool roundsUp)
    {
        var delay = TimeSpan.FromSeconds(seconds);
        Assert.Equal(roundsUp, HostPlatform.Linux.Shutdown.RoundsUp(delay));
        Assert.Equal(TimeSpan.FromMinutes(Math.Ceiling(seconds / 60.0)), HostPlatform.Linux.Shutdown.RoundedDelay(delay));
    }

    [Theory]
    [InlineData(30)]
    [InlineData(90)]
    public void Windows_NeverRoundsUp(int seconds)
    {
        var delay = TimeSpan.FromSeconds(seconds);
        Assert.False(HostPlatform.Windows.Shutdown.RoundsUp(delay));
        Assert.Equal(delay, HostPlatform.Windows.Shutdown.RoundedDelay(delay));
    }
}
