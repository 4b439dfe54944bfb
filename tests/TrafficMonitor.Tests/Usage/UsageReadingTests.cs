using Microsoft.Extensions.Logging.Abstractions;
using TrafficMonitor.Configuration;
using TrafficMonitor.Quota;
using TrafficMonitor.Tests.Components;
using TrafficMonitor.Usage;
using TrafficMonitor.Usage.Calibration;

namespace TrafficMonitor.Tests.Usage;

/// <summary>
/// Sums of byte counts never wrap: past 2^63 a sum turned negative and the floor at zero read a full quota as
/// "0 B used". Any such reading is bad data, refused where it is read, so the check decides nothing.
/// </summary>
public sealed class UsageReadingTests : IDisposable
{
    private const long FiveExabytes = 5_000_000_000_000_000_000;
    private static readonly BillingPeriod Period = BillingPeriod.Containing(new DateOnly(2026, 11, 23), 1);
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _state = new();

    public void Dispose() => _state.Dispose();

    private sealed class FixedSource(params InterfaceUsage[] interfaces) : IUsageSource
    {
        public string Name => "fixed";

        public Task<UsageReading> ReadAsync(BillingPeriod period, CancellationToken cancellationToken) =>
            Task.FromResult(new UsageReading(Name, period, interfaces, Now));
    }

    private Task<UsageReading> ReadCalibrated(IUsageSource inner, decimal adjustPercent = 0, long countedOffset = 0)
    {
        var store = new CalibrationStore(_state.Path, NullLogger<CalibrationStore>.Instance);
        if (countedOffset != 0)
        {
            store.Save(new TrafficMonitor.Usage.Calibration.Calibration(Period.Start, 0, 0, countedOffset, Now));
        }

        var source = new CalibratedUsageSource(inner, store, new MonitorOptions { StateDir = _state.Path, AdjustPercent = adjustPercent });
        return source.ReadAsync(Period, CancellationToken.None);
    }

    [Fact]
    public async Task ReadAsync_InterfacesSumPast2To63_IsBadDataNotZero()
    {
        var inner = new FixedSource(new InterfaceUsage("eth0", FiveExabytes, 0), new InterfaceUsage("eth1", FiveExabytes, 0));

        var error = await Assert.ThrowsAsync<UsageUnavailableException>(() => ReadCalibrated(inner));

        Assert.Contains("2^63", error.Message, StringComparison.Ordinal);
        Assert.Contains("eth0, eth1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_RxPlusTxPast2To63_IsBadDataNotZero()
    {
        var error = await Assert.ThrowsAsync<UsageUnavailableException>(() => ReadCalibrated(new FixedSource(new InterfaceUsage("eth0", FiveExabytes, FiveExabytes))));

        Assert.Contains("2^63", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_AdjustPercentPast2To63_IsBadData()
    {
        var error = await Assert.ThrowsAsync<UsageUnavailableException>(() =>
            ReadCalibrated(new FixedSource(new InterfaceUsage("eth0", FiveExabytes, 0)), adjustPercent: 100));

        Assert.Contains("adjust_percent", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_CalibrationOffsetPast2To63_IsBadData()
    {
        var error = await Assert.ThrowsAsync<UsageUnavailableException>(() =>
            ReadCalibrated(new FixedSource(new InterfaceUsage("eth0", FiveExabytes, 0)), countedOffset: FiveExabytes));

        Assert.Contains("set-usage", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_LargeButPossibleCounts_AreCountedExactly()
    {
        var reading = await ReadCalibrated(
            new FixedSource(new InterfaceUsage("eth0", FiveExabytes, 1), new InterfaceUsage("eth1", 1_000_000, 2)), countedOffset: -FiveExabytes);

        Assert.Equal((FiveExabytes + 1_000_000, 3L, 1_000_003L), (reading.Rx, reading.Tx, reading.Counted(CountMode.Total)));
    }
}
