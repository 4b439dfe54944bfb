using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TrafficMonitor.Configuration;
using TrafficMonitor.Hosting;
using TrafficMonitor.Monitoring;
using TrafficMonitor.Platform;
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
        var time = new TimerCountingTimeProvider(new DateTimeOffset(2026, 11, 10, 12, 0, 0, TimeSpan.Zero));
        var trafficStarts = time.GetUtcNow().AddMinutes(5).AddSeconds(17);
        var source = new LinearSource(time, trafficStarts);
        var settings = ConfigLoader.Parse(
            TestSettings.Yaml(state.Path, totalLimit: "\"1000 GB\"", interval: "\"100 GB\"", monitor: "count: rx"), "t.yaml", state.Path);
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddLogging()
            .AddTrafficMonitor(settings, RunMode.Live)
            .AddSingleton<IUsageSource>(source)
            .BuildServiceProvider();
        await using var _ = services;
        using var monitor = new MonitorService(
            services.GetRequiredService<QuotaCheck>(), settings, settings.Monitor, time, services.GetRequiredService<HostPlatform>(), NullLogger<MonitorService>.Instance);

        await monitor.StartAsync(CancellationToken.None);
        await WaitUntilWaiting(time, source);
        // Time moves in seconds far from the threshold and in milliseconds near it, so a reading's time is exact enough.
        var thresholdAt = trafficStarts.AddSeconds(100e9 / Rate);
        while (source.FirstOver(100e9) is null && time.GetUtcNow() < thresholdAt.AddMinutes(2))
        {
            time.Advance(thresholdAt - time.GetUtcNow() > TimeSpan.FromSeconds(5) ? TimeSpan.FromSeconds(1) : TimeSpan.FromMilliseconds(5));
            await WaitUntilWaiting(time, source);
        }

        await monitor.StopAsync(CancellationToken.None);

        var idle = source.Reads.Where(r => r.At < trafficStarts).ToList();
        Assert.Equal(6, idle.Count); // at 0, 1, 2, 3, 4 and 5 minutes: traffic starts at 5 min 17 s
        Assert.All(idle.Zip(idle.Skip(1)), pair => Assert.Equal(TimeSpan.FromMinutes(1), pair.Second.At - pair.First.At));
        var caught = source.FirstOver(100e9)!.Value;
        Assert.InRange(caught.Counted - 100e9, 0, Rate * MonitorOptions.FastCheckInterval.TotalSeconds);
        Assert.True(source.Reads.Count < idle.Count + 60, $"{source.Reads.Count} reads: polled fast for too long");
    }

    /// <summary>Each check ends by waiting on a new timer: time may move on once every check so far has reached its wait.</summary>
    private static async Task WaitUntilWaiting(TimerCountingTimeProvider time, LinearSource source)
    {
        for (var spins = 0; time.TimersCreated < source.Reads.Count || source.Reads.Count == 0; spins++)
        {
            Assert.True(spins < 5000, "the monitor never went back to waiting");
            await Task.Delay(1);
        }
    }

    private sealed class TimerCountingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private int _timers;

        public int TimersCreated => Volatile.Read(ref _timers);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            Interlocked.Increment(ref _timers);
            return timer;
        }
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
    }
}
