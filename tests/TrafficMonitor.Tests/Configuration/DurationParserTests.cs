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

    [Theory]
    [InlineData("99999999999999d")]
    [InlineData("3000000d")]
    [InlineData("99999999999999999999999999")]
    [InlineData("79228162514264337593543950335ms")]
    [InlineData("9999999999999999999999999999d 9999999999999999999999999999d")]
    [InlineData("10675199d 10675199d")]
    public void TryParse_HugeDurations_AreTooLongNeverAnOverflow(string text)
    {
        Assert.False(DurationParser.TryParse(text, TimeSpan.FromDays(31), out _, out var error));
        Assert.Equal($"'{text}' is too long: use at most 31d", error);
    }

    [Fact]
    public void TryParse_WithoutABound_HugeDurationsAreStillNoOverflow() =>
        Assert.False(DurationParser.TryParse("99999999999999d", out _, out _));

    [Fact]
    public void TryParse_AtTheBound_IsAccepted()
    {
        Assert.True(DurationParser.TryParse("30d24h", TimeSpan.FromDays(31), out var duration, out var error), error);
        Assert.Equal(TimeSpan.FromDays(31), duration);
    }

    [Theory]
    [InlineData(600_000, "10m")]
    [InlineData(250, "250ms")]
    [InlineData(90_061_001, "1d1h1m1s1ms")]
    [InlineData(0, "0s")]
    public void Format_PrintsUnitsAsTheyAreWritten(long milliseconds, string expected) =>
        Assert.Equal(expected, DurationParser.Format(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void Format_LessThanAMillisecond_IsNotEmpty() =>
        Assert.Equal("0.5ms", DurationParser.Format(TimeSpan.FromTicks(5_000)));
}
