using TrafficMonitor.Configuration;

namespace TrafficMonitor.Tests.Configuration;

public class DurationParserTests
{
    [Theory]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("1h30m", 5400)]
    [InlineData("2d", 172800)]
    [InlineData("45", 45)]
    [InlineData("1.5m", 90)]
    [InlineData("250ms", 0.25)]
    public void TryParse_ValidDurations_Parse(string text, double seconds)
    {
        Assert.True(DurationParser.TryParse(text, out var duration, out var error), error);
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("5 minutes")]
    [InlineData("10x")]
    [InlineData("")]
    public void TryParse_BadDurations_AreRejected(string text) => Assert.False(DurationParser.TryParse(text, out _, out _));

    [Fact]
    public void Format_RoundTrips() => Assert.Equal("1h30m", DurationParser.Format(TimeSpan.FromMinutes(90)));
}
