using TrafficMonitor.Configuration;

namespace TrafficMonitor.Tests.Configuration;

public class ByteSizeTests
{
    [Theory]
    [InlineData("2000", 2000L * 1024 * 1024 * 1024)]
    [InlineData("1.5", 1610612736L)]
    [InlineData("2 TB", 2_000_000_000_000L)]
    [InlineData("2TB", 2_000_000_000_000L)]
    [InlineData("500 GiB", 500L * 1024 * 1024 * 1024)]
    [InlineData("750 MB", 750_000_000L)]
    [InlineData("100 gb", 100_000_000_000L)]
    [InlineData("1024 B", 1024L)]
    [InlineData("0", 0L)]
    public void TryParse_ValidSizes_AreExact(string text, long expectedBytes)
    {
        Assert.True(ByteSize.TryParse(text, out var size, out var error), error);
        Assert.Equal(expectedBytes, size.Bytes);
    }

    [Fact]
    public void TryParse_FractionalTebibytes_AreExactToTheByte()
    {
        Assert.True(ByteSize.TryParse("1.8 TiB", out var size, out _));
        Assert.Equal(1_979_120_929_997L, size.Bytes); // 1.8 × 2^40 = 1979120929996.8, to the nearest byte
        Assert.Equal(UnitSystem.Binary, size.Units);
    }

    [Theory]
    [InlineData("-5", "negative")]
    [InlineData("lots", "not a size")]
    [InlineData("5 GX", "unknown unit 'GX'")]
    [InlineData("", "not a size")]
    [InlineData("99999999999 PB", "too large")]
    public void TryParse_BadSizes_SayWhatIsWrong(string text, string expected)
    {
        Assert.False(ByteSize.TryParse(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0L, "0 B")]
    [InlineData(1536L, "1.5 KiB")]
    [InlineData(107374182400L, "100 GiB")]
    [InlineData(2147483648000L, "2000 GiB")]
    public void Format_BinaryCappedAtGibibytes_PrintsInTheUsersUnit(long bytes, string expected) =>
        Assert.Equal(expected, ByteSize.Format(bytes, SizeUnits.Gibibytes));

    [Fact]
    public void Format_DecimalLimit_PrintsDecimalUnits()
    {
        Assert.True(ByteSize.TryParse("2 TB", out var limit, out _));
        Assert.Equal("2 TB", limit.ToString());
        Assert.Equal("1.23 TB", ByteSize.Format(1_234_000_000_000, limit.DisplayUnits));
        Assert.Equal("512 MB", ByteSize.Format(512_000_000, limit.DisplayUnits));
    }
}
