using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TrafficMonitor.Configuration;
using TrafficMonitor.Hosting;
using TrafficMonitor.Monitoring;
using TrafficMonitor.Quota;
using TrafficMonitor.Tests.Components;
using TrafficMonitor.Usage;

namespace TrafficMonitor.Tests.Monitoring;

public sealed class MonitorServiceCadenceTests
{
    private const double Rate = 1e9;

    [Fact]
    public async Task Run_IdleThenLineRateTowardsAThreshold_ChecksEveryIntervalThenCatchesItWithinAFractionOfASecond()
    {
        using var state = new TempDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 10, 12, 0, 0, TimeSpan.Zero));
        var trafficStarts = time.GetUtcNow().AddMinutes(5).AddSeconds(17);
        var source = new LinearSource(time, trafficStarts);
        var settings = ConfigLoader.Parse(
            TestSettings.Yaml(state.Path, totalLimit: "\"1000 GB\"", interval: "\"100 GB\"", monitor: "count: rx"), "t.yaml", state.Path);
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddLogging()
            .AddTrafficMonitor(settings, new RunMode(DryRun: false))
            .AddSingleton<IUsageSource>(source)
            .BuildServiceProvider();
        await using var _ = services;
        using var monitor = new MonitorService(
            services.GetRequiredService<QuotaCheck>(), settings, settings.Monitor, time, NullLogger<MonitorService>.Instance);

        await monitor.StartAsync(CancellationToken.None);
        // Time moves in seconds far from the threshold and in milliseconds near it, so a reading's time is exact enough.
        var thresholdAt = trafficStarts.AddSeconds(100e9 / Rate);
        while (source.FirstOver(100e9) is null && time.GetUtcNow() < thresholdAt.AddMinutes(2))
        {
            time.Advance(thresholdAt - time.GetUtcNow() > TimeSpan.FromSeconds(5) ? TimeSpan.FromSeconds(1) : TimeSpan.FromMilliseconds(5));
            await LinearSource.Settled();
        }

        await monitor.StopAsync(CancellationToken.None);

        var idle = source.Reads.Where(r => r.At < trafficStarts).ToList();
        Assert.True(idle.Count >= 5);
        // A minute apart; the fake clock keeps moving while a check runs in real time, so allow the harness a few seconds.
        Assert.All(idle.Zip(idle.Skip(1)), pair => Assert.InRange(pair.Second.At - pair.First.At, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(65)));
        var caught = source.FirstOver(100e9)!.Value;
        Assert.InRange(caught.Counted - 100e9, 0, Rate * MonitorOptions.FastCheckInterval.TotalSeconds);
        Assert.True(source.Reads.Count < idle.Count + 60, $"{source.Reads.Count} reads: polled fast for too long");
    }

    /// <summary>Nothing until <c>start</c>, then <see cref="Rate"/> bytes a second; the link is said to carry 1.25 GB/s.</summary>
    private sealed class LinearSource(FakeTimeProvider time, DateTimeOffset start) : IUsageSource
    {
        private readonly List<(DateTimeOffset At, long Counted)> _reads = [];

        public string Name => "fake";

        public IReadOnlyList<(DateTimeOffset At, long Counted)> Reads
        {
            get
            {
                lock (_reads)
                {
                    return [.. _reads];
                }
            }
        }

        public (DateTimeOffset At, long Counted)? FirstOver(double bytes) => Reads.Where(r => r.Counted >= bytes).Select(r => ((DateTimeOffset, long)?)r).FirstOrDefault();

        public Task<UsageReading> ReadAsync(BillingPeriod period, CancellationToken cancellationToken)
        {
            var now = time.GetUtcNow();
            var counted = (long)(Math.Max(0, (now - start).TotalSeconds) * Rate);
            lock (_reads)
            {
                _reads.Add((now, counted));
            }

            return Task.FromResult(new UsageReading(Name, period, [new InterfaceUsage("eth0", counted, 0)], now) { LineRate = 1_250_000_000 });
        }

        /// <summary>Lets a check that a timer just released run to its next wait before time moves on.</summary>
        public static Task Settled() => Task.Delay(1);
    }
}
