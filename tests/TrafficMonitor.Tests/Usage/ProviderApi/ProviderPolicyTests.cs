using TrafficMonitor.Quota;
using TrafficMonitor.Usage.ProviderApi;

namespace TrafficMonitor.Tests.Usage.ProviderApi;

public sealed class ProviderPolicyTests
{
    private const long GiB = 1L << 30;
    private static readonly DateTimeOffset T0 = new(2026, 11, 10, 12, 0, 0, TimeSpan.Zero);
    private static readonly BillingPeriod November = BillingPeriod.Containing(new DateOnly(2026, 11, 10), 1);
    private static readonly TimeSpan Poll = TimeSpan.FromMinutes(15);

    private static ProviderMeterReading Meter(DateTimeOffset at, long billed, decimal multiplier = 1) =>
        new(at, billed, null, billed, 20 * 1024 * GiB, null, multiplier);

    private static ProviderRecord Read(params (DateTimeOffset At, long Provider, long Own)[] readings) =>
        readings.Aggregate(new ProviderRecord(), (record, r) => ProviderPolicy.Succeeded(record, Meter(r.At, r.Provider), r.Own, November));

    [Fact]
    public void NextPollAt_NeverAsked_IsNow()
    {
        Assert.Equal(DateTimeOffset.MinValue, ProviderPolicy.NextPollAt(new ProviderRecord(), Poll));
    }

    [Fact]
    public void NextPollAt_AfterAGoodReading_IsOnePollLater()
    {
        Assert.Equal(T0 + Poll, ProviderPolicy.NextPollAt(Read((T0, 0, 0)), Poll));
    }

    [Theory]
    [InlineData(1, 15)]
    [InlineData(2, 30)]
    [InlineData(3, 60)]
    [InlineData(5, 240)]
    [InlineData(6, 360)]
    [InlineData(40, 360)]
    public void NextPollAt_AfterFailures_BacksOffFromPollUpToSixHours(int failures, int minutes)
    {
        var record = Enumerable.Range(0, failures).Aggregate(new ProviderRecord(), (r, _) => ProviderPolicy.Failed(r, T0, "500", null));

        Assert.Equal(T0 + TimeSpan.FromMinutes(minutes), ProviderPolicy.NextPollAt(record, Poll));
    }

    [Fact]
    public void NextPollAt_RetryAfterLongerThanBackoff_WaitsAsAsked()
    {
        var record = ProviderPolicy.Failed(new ProviderRecord(), T0, "429", TimeSpan.FromHours(2));

        Assert.Equal(T0 + TimeSpan.FromHours(2), ProviderPolicy.NextPollAt(record, Poll));
    }

    [Fact]
    public void NextPollAt_RetryAfterShorterThanPoll_StillWaitsAPoll()
    {
        var record = ProviderPolicy.Failed(new ProviderRecord(), T0, "429", TimeSpan.FromSeconds(5));

        Assert.Equal(T0 + Poll, ProviderPolicy.NextPollAt(record, Poll));
    }

    [Fact]
    public void NextPollAt_AbsurdRetryAfter_IsCappedAtADay()
    {
        var record = ProviderPolicy.Failed(new ProviderRecord(), T0, "429", TimeSpan.FromDays(90));

        Assert.Equal(T0 + TimeSpan.FromDays(1), ProviderPolicy.NextPollAt(record, Poll));
    }

    [Fact]
    public void Combine_AReading_IsTheProvidersFigurePlusOwnTrafficSince()
    {
        var record = Read((T0, 100 * GiB, 40 * GiB));

        var figures = ProviderPolicy.Combine(record, November, 43 * GiB, "hetzner", "outgoing");

        Assert.Equal(103 * GiB, figures.BilledBytes);
        Assert.Equal(3 * GiB, figures.OwnSinceBytes);
        Assert.Equal(43 * GiB, figures.OwnBytes);
        Assert.Equal(60 * GiB, figures.DifferenceBytes);
    }

    [Fact]
    public void Combine_NoReadingThisPeriod_IsTheOwnCountAlone()
    {
        var october = ProviderPolicy.Succeeded(new ProviderRecord(), Meter(T0.AddMonths(-1), 900 * GiB), 10 * GiB, BillingPeriod.Containing(new DateOnly(2026, 10, 10), 1));

        var figures = ProviderPolicy.Combine(october, November, 5 * GiB, "hetzner", "outgoing");

        Assert.Equal(5 * GiB, figures.BilledBytes);
        Assert.Null(figures.Reading);
    }

    [Fact]
    public void Combine_ApiFailingAfterAReading_KeepsCountingFromIt()
    {
        var record = ProviderPolicy.Failed(Read((T0, 100 * GiB, 40 * GiB)), T0 + Poll, "500", null);

        var figures = ProviderPolicy.Combine(record, November, 45 * GiB, "hetzner", "outgoing");

        Assert.Equal(105 * GiB, figures.BilledBytes);
        Assert.Equal("500", figures.Degraded);
    }

    [Fact]
    public void Combine_OwnCountersWentBack_AddsNothingRatherThanSubtracting()
    {
        var figures = ProviderPolicy.Combine(Read((T0, 100 * GiB, 40 * GiB)), November, 1 * GiB, "hetzner", "outgoing");

        Assert.Equal(100 * GiB, figures.BilledBytes);
    }

    [Fact]
    public void Combine_KiwiVmMultiplier_ScalesTheOwnTrafficLikeTheProviders()
    {
        var record = ProviderPolicy.Succeeded(new ProviderRecord(), Meter(T0, 200 * GiB, multiplier: 2), 100 * GiB, November);

        var figures = ProviderPolicy.Combine(record, November, 101 * GiB, "kiwivm", "counter");

        Assert.Equal(202 * GiB, figures.BilledBytes);
    }

    [Fact]
    public void Compare_SameIntervalTenPercentApart_Disagrees()
    {
        var record = Read((T0, 100 * GiB, 40 * GiB), (T0.AddHours(5), 110 * GiB, 51 * GiB));

        var comparison = ProviderPolicy.Combine(record, November, 51 * GiB, "hetzner", "outgoing").Comparison!;

        Assert.Equal((10 * GiB, 11 * GiB, 10.0m), (comparison.ProviderBytes, comparison.OwnBytes, comparison.DifferencePercent));
        Assert.True(ProviderPolicy.Disagrees(comparison, 5));
        Assert.False(ProviderPolicy.Disagrees(comparison, 10));
    }

    [Fact]
    public void Disagrees_WithinTolerance_IsQuiet()
    {
        Assert.False(ProviderPolicy.Disagrees(new ProviderComparison(T0, T0.AddHours(5), 100 * GiB, 104 * GiB), 5));
    }

    // The provider's meter lags and the own counters are live: small or short intervals mostly measure the lag.
    [Fact]
    public void Disagrees_LittleTrafficOrShortInterval_IsQuiet()
    {
        Assert.False(ProviderPolicy.Disagrees(new ProviderComparison(T0, T0.AddHours(5), GiB / 2, GiB / 4), 5));
        Assert.False(ProviderPolicy.Disagrees(new ProviderComparison(T0, T0.AddMinutes(30), 10 * GiB, 20 * GiB), 5));
    }

    [Fact]
    public void ShouldReport_OncePerPeriod()
    {
        var comparison = new ProviderComparison(T0, T0.AddHours(5), 10 * GiB, 11 * GiB);
        var told = new ProviderRecord { DisagreementReported = November.Start };

        Assert.True(ProviderPolicy.ShouldReport(new ProviderRecord(), November, comparison, 5));
        Assert.False(ProviderPolicy.ShouldReport(told, November, comparison, 5));
        Assert.True(ProviderPolicy.ShouldReport(told, BillingPeriod.Containing(new DateOnly(2026, 12, 10), 1), comparison, 5));
    }

    [Fact]
    public void Succeeded_NewPeriod_StartsTheComparisonAfresh()
    {
        var october = ProviderPolicy.Succeeded(new ProviderRecord(), Meter(T0.AddMonths(-1), 900 * GiB), 10 * GiB, BillingPeriod.Containing(new DateOnly(2026, 10, 10), 1));

        var november = ProviderPolicy.Succeeded(october, Meter(T0, 5 * GiB), 1 * GiB, November);

        Assert.Equal(november.Last, november.First);
        Assert.Null(ProviderPolicy.Combine(november, November, 1 * GiB, "hetzner", "outgoing").Comparison);
    }

    [Fact]
    public void ResetDay_IsTheLocalDayOfTheNextReset()
    {
        var zone = TimeZoneInfo.CreateCustomTimeZone("UTC+9", TimeSpan.FromHours(9), "UTC+9", "UTC+9");

        Assert.Equal(17, ProviderPolicy.ResetDay(new DateTimeOffset(2026, 12, 16, 20, 0, 0, TimeSpan.Zero), zone));
        Assert.Null(ProviderPolicy.ResetDay(null, zone));
    }
}
