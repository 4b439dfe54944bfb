using TrafficMonitor.Configuration;
using TrafficMonitor.Quota;
using TrafficMonitor.Usage;
using TrafficMonitor.Usage.Calibration;

namespace TrafficMonitor.Tests.Usage.Calibration;

public sealed class CalibrationTests
{
    private static readonly BillingPeriod Period = BillingPeriod.Containing(new DateOnly(2026, 11, 23), 1);
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static UsageReading Measured(long rx, long tx) => new("system", Period, [new InterfaceUsage("eth0", rx, tx)], Now);

    private static UsageReading Apply(UsageReading reading, decimal percent, TrafficMonitor.Usage.Calibration.Calibration c) =>
        reading with { Adjustment = new UsageAdjustment(percent, c.RxOffset, c.TxOffset, c.CountedOffset) };

    [Theory]
    [InlineData(CountMode.Total)]
    [InlineData(CountMode.Rx)]
    [InlineData(CountMode.Tx)]
    [InlineData(CountMode.Max)]
    public void Calibrate_TotalOnly_CountsThePanelFigureThenAddsNewTraffic(CountMode mode)
    {
        var calibration = CalibratedUsageSource.Calibrate(Measured(300, 200), mode, 0, 10_000, null, null, Now);

        Assert.Equal(10_000, Apply(Measured(300, 200), 0, calibration).Counted(mode));
        var later = Apply(Measured(400, 250), 0, calibration).Counted(mode);
        Assert.Equal(10_000 + (UsageReading.Count(mode, 400, 250) - UsageReading.Count(mode, 300, 200)), later);
    }

    [Fact]
    public void Calibrate_RxAndTx_SetsEachDirection()
    {
        var calibration = CalibratedUsageSource.Calibrate(Measured(300, 200), CountMode.Max, 0, 8000, rx: 8000, tx: 1000, Now);
        var reading = Apply(Measured(300, 200), 0, calibration);

        Assert.Equal((8000, 1000, 8000), (reading.Rx, reading.Tx, reading.Counted(CountMode.Max)));
    }

    [Fact]
    public void AdjustPercent_ScalesWhatTheInterfacesMoved()
    {
        var reading = Measured(1000, 500) with { Adjustment = new UsageAdjustment(3, 0, 0, 0) };

        Assert.Equal((1030, 515, 1545), (reading.Rx, reading.Tx, reading.Counted(CountMode.Total)));
    }

    [Fact]
    public void Calibrate_WithAdjustPercent_StillCountsThePanelFigure()
    {
        var calibration = CalibratedUsageSource.Calibrate(Measured(1000, 500), CountMode.Total, 3, 5000, null, null, Now);

        Assert.Equal(5000, Apply(Measured(1000, 500), 3, calibration).Counted(CountMode.Total));
    }
}
