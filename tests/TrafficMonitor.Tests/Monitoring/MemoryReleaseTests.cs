using TrafficMonitor.Monitoring;

namespace TrafficMonitor.Tests.Monitoring;

public class MemoryReleaseTests
{
    private static readonly MemoryRelease.Mark Last = new(Allocated: 10_000_000, DeliveryRounds: 3);

    [Fact]
    public void Due_AfterTheFirstCheck() => Assert.True(MemoryRelease.Due(null, Last));

    [Fact]
    public void NotDue_AfterQuietChecksThatAllocatedLittle() =>
        Assert.False(MemoryRelease.Due(Last, Last with { Allocated = Last.Allocated + MemoryRelease.AllocatedBetweenReleases - 1 }));

    [Fact]
    public void Due_OnceTheChecksHaveAllocatedTheirShare() =>
        Assert.True(MemoryRelease.Due(Last, Last with { Allocated = Last.Allocated + MemoryRelease.AllocatedBetweenReleases }));

    [Fact]
    public void Due_AfterMessagesWereDelivered() => Assert.True(MemoryRelease.Due(Last, Last with { DeliveryRounds = 4 }));
}
