using TrafficMonitor.Configuration;
using TrafficMonitor.Monitoring;

namespace TrafficMonitor.Tests.Monitoring;

public sealed class CheckCadenceTests
{
    private const long GB = 1_000_000_000;
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private static readonly ThresholdsOptions Thresholds = new()
    {
        TotalLimit = new ByteSize(1000 * GB, UnitSystem.Decimal),
        Interval = new ByteSize(100 * GB, UnitSystem.Decimal),
        CriticalPercentage = 90,
    };

    private static MonitorOptions Monitor(CountMode count = CountMode.Total) => new() { StateDir = "/tmp", Count = count };

    [Fact]
    public void NextDelay_ThresholdFarAwayAtLineRate_KeepsTheCheckInterval()
    {
        // 1 Gbit/s each way: 250 MB/s counted; 50 GB to the next stage is 200 s away.
        Assert.Equal(Minute, CheckCadence.NextDelay(Minute, Thresholds, Monitor(), 50 * GB, 125_000_000, 0));
    }

    [Fact]
    public void NextDelay_ThresholdWithinOneIntervalAtLineRate_ComesBeforeLineRateCouldReachIt()
    {
        var delay = CheckCadence.NextDelay(Minute, Thresholds, Monitor(), 100 * GB - (5 * GB), 125_000_000, 0);

        Assert.Equal(TimeSpan.FromSeconds(20), delay);
    }

    [Fact]
    public void NextDelay_ThresholdAlmostReached_NeverFasterThanTheFloor()
    {
        var delay = CheckCadence.NextDelay(Minute, Thresholds, Monitor(), (900 * GB) - 1000, 1_250_000_000, 0);

        Assert.Equal(MonitorOptions.FastCheckInterval, delay);
    }

    [Fact]
    public void NextDelay_ObservedFasterThanTheLinkSpeed_TrustsTheObservedRateDoubled()
    {
        // One direction counted: 10 GB away; link says 100 MB/s, traffic shows 1 GB/s → 5 s.
        var delay = CheckCadence.NextDelay(Minute, Thresholds, Monitor(CountMode.Rx), 90 * GB, 100_000_000, 1_000_000_000);

        Assert.Equal(TimeSpan.FromSeconds(5), delay);
    }

    [Fact]
    public void NextDelay_NothingKnownAboutRates_KeepsTheCheckInterval()
    {
        Assert.Equal(Minute, CheckCadence.NextDelay(Minute, Thresholds, Monitor(), 899 * GB, null, null));
    }

    [Fact]
    public void NextDelay_PastTheLastStage_KeepsTheCheckInterval()
    {
        Assert.Equal(Minute, CheckCadence.NextDelay(Minute, Thresholds, Monitor(), 1000 * GB, 125_000_000, 1e9));
    }

    [Fact]
    public void NextDelay_ALadderStepNearerThanAnyStage_IsWhatTheCheckAimsAt()
    {
        // 1 Gbit/s each way: 250 MB/s counted. The next stage (200 GB) is 400 s away; a step at 105 GB is 20 s away.
        var delay = CheckCadence.NextDelay(Minute, Thresholds, Monitor(), 100 * GB, 125_000_000, 0, stepPoints: [50 * GB, 105 * GB, 950 * GB]);

        Assert.Equal(TimeSpan.FromSeconds(20), delay);
    }

    [Fact]
    public void NextDelay_PastEveryStageButBeforeAStep_StillChecksFastNearIt()
    {
        // Past the limit (no stage left) and the critical point; a shutdown rule at 110% is 5 GB away at 250 MB/s.
        var delay = CheckCadence.NextDelay(Minute, Thresholds, Monitor(), 1095 * GB, 125_000_000, 0, stepPoints: [1100 * GB]);

        Assert.Equal(TimeSpan.FromSeconds(20), delay);
    }
}
