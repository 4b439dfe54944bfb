using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TrafficMonitor.Configuration;
using TrafficMonitor.Monitoring;
using TrafficMonitor.Platform;
using TrafficMonitor.Quota;
using TrafficMonitor.Tests.Components;
using TrafficMonitor.Usage;
using TrafficMonitor.Usage.SystemCounters;
using TrafficMonitor.Usage.SystemCounters.Linux;

namespace TrafficMonitor.Tests.Usage.SystemCounters;

public sealed class SystemUsageSourceTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 30, 0, TimeSpan.Zero);
    private readonly TempDirectory _state = new();
    private readonly FakeTimeProvider _time = new(Start);
    private readonly FakeProc _proc = new();

    public void Dispose() => _state.Dispose();

    public static TheoryData<int> ResetDays => [.. Enumerable.Range(1, 31)];

    private SystemUsageSource CreateSut(bool dryRun = false, IReadOnlyList<string>? interfaces = null, TimeSpan? checkpoint = null, RunMode? runMode = null, LogRecorder? logs = null)
    {
        var options = new MonitorOptions
        {
            StateDir = _state.Path,
            Provider = MonitorOptions.SystemProvider,
            Interfaces = interfaces ?? [],
            CheckpointInterval = checkpoint ?? MonitorOptions.DefaultCheckpointInterval,
        };
        return new SystemUsageSource(
            new LinuxInterfaceCounters(_proc, _time),
            new LedgerStore(_state.Path, _time, NullLogger<LedgerStore>.Instance),
            options,
            runMode ?? (dryRun ? RunMode.DryRun : RunMode.Live),
            _time,
            logs?.For<SystemUsageSource>() ?? NullLogger<SystemUsageSource>.Instance,
            HostPlatform.Linux);
    }

    private BillingPeriod Period(int resetDay = 1) => BillingPeriod.Containing(_time.GetLocalNow(), resetDay);

    [Theory]
    [MemberData(nameof(ResetDays))]
    public void Read_EveryResetDayAndCountMode_SumsExactlyTheLedgerDaysInThePeriod(int resetDay)
    {
        using var source = CreateSut();
        _proc.Set("eth0", 0, 0).Set("lo", 0, 0);
        source.Read(Period());
        var perDay = new Dictionary<DateOnly, (long Rx, long Tx)>();
        for (var day = 0; day < 90; day++)
        {
            var date = DateOnly.FromDateTime(_time.GetLocalNow().DateTime);
            var (rx, tx) = ((ulong)(1_000_003 * (day + 1)), (ulong)(7_919 * (day + 1) * (day % 3)));
            _proc.Add("eth0", rx, tx).Add("lo", 5, 5);
            source.Read(Period());
            perDay[date] = ((long)rx, (long)tx);
            _time.Advance(TimeSpan.FromDays(1));
        }

        foreach (var today in new DateOnly[] { new(2026, 2, 28), new(2026, 3, 1), new(2026, 3, 15), new(2026, 3, 30) })
        {
            var period = BillingPeriod.Containing(today, resetDay);
            var reading = source.Read(period);
            var rx = perDay.Where(d => period.Contains(d.Key)).Sum(d => d.Value.Rx);
            var tx = perDay.Where(d => period.Contains(d.Key)).Sum(d => d.Value.Tx);
            Assert.Equal("eth0", Assert.Single(reading.Interfaces).Name);
            Assert.Equal(rx + tx, reading.Counted(CountMode.Total));
            Assert.Equal(rx, reading.Counted(CountMode.Rx));
            Assert.Equal(tx, reading.Counted(CountMode.Tx));
            Assert.Equal(Math.Max(rx, tx), reading.Counted(CountMode.Max));
        }
    }

    [Fact]
    public void Read_NoLedgerYet_TheMonitorSaysItStartsOneAndALookingCommandOnlyOnRequest()
    {
        _proc.Set("eth0", 5_000, 7_000);
        var monitorLogs = new LogRecorder();
        var lookingLogs = new LogRecorder();

        using (var looking = CreateSut(runMode: RunMode.ReadOnly, logs: lookingLogs))
        {
            looking.Read(Period());
        }

        Assert.False(File.Exists(Path.Combine(_state.Path, "ledger.json")));
        using (var monitor = CreateSut(logs: monitorLogs))
        {
            monitor.Read(Period());
        }

        Assert.Contains(monitorLogs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("Starting a new traffic ledger", StringComparison.Ordinal));
        Assert.All(lookingLogs.Lines, l => Assert.StartsWith("Debug", l, StringComparison.Ordinal));
        Assert.Contains(lookingLogs.Lines, l => l.Contains("Starting a new traffic ledger", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_NewSourceOnTheSameLedger_CountsWhatTheKernelCountedWhileItWasAway()
    {
        _proc.Set("eth0", 1000, 1000);
        using (var first = CreateSut())
        {
            first.Read(Period());
            _proc.Add("eth0", 500, 50);
            first.Read(Period());
        }

        // Killed without a final write: the last checkpoint is all that is on disk.
        var killed = CreateSut();
        _proc.Add("eth0", 111, 222);
        killed.Read(Period());
        _time.Advance(TimeSpan.FromSeconds(10));
        _proc.Add("eth0", 7000, 3);

        using var restarted = CreateSut();
        var reading = restarted.Read(Period());

        Assert.Equal(500 + 111 + 7000, reading.Rx);
        Assert.Equal(50 + 222 + 3, reading.Tx);
    }

    [Fact]
    public void Read_LedgerFromAnotherBoot_AddsEverythingCountedSinceThisBoot()
    {
        _proc.Set("eth0", 0, 0);
        using (var before = CreateSut())
        {
            before.Read(Period());
            _proc.Add("eth0", 9_000_000, 4_000_000);
            before.Read(Period());
        }

        _proc.BootId = "22222222-2222-2222-2222-222222222222";
        _proc.UptimeSeconds = 120;
        _proc.Set("eth0", 12_345, 678);
        using var after = CreateSut();

        var reading = after.Read(Period());

        Assert.Equal(9_000_000 + 12_345, reading.Rx);
        Assert.Equal(4_000_000 + 678, reading.Tx);
    }

    [Fact]
    public void Read_DamagedLedger_MovedAsideAndThePreviousOneContinuesWithoutLoss()
    {
        _proc.Set("eth0", 0, 0);
        using (var first = CreateSut(checkpoint: TimeSpan.FromSeconds(1)))
        {
            first.Read(Period());
            _proc.Add("eth0", 100, 10);
            _time.Advance(TimeSpan.FromSeconds(2));
            first.Read(Period());
            _proc.Add("eth0", 200, 20);
            _time.Advance(TimeSpan.FromSeconds(2));
            first.Read(Period());
        }

        File.WriteAllText(_state.Combine(LedgerStore.FileName), "{\"version\":1,\"interfaces\":{\"eth0\":{\"days\":{\"2026-0");
        _proc.Add("eth0", 4000, 400);
        using var second = CreateSut();

        var reading = second.Read(Period());

        Assert.Equal(300 + 4000, reading.Rx);
        Assert.Equal(30 + 400, reading.Tx);
        Assert.Single(Directory.GetFiles(_state.Path, "ledger.json.damaged-*"));
    }

    [Fact]
    public void Read_BothLedgersDamaged_BothMovedAsideAndCountingStartsAfresh()
    {
        Directory.CreateDirectory(_state.Path);
        File.WriteAllText(_state.Combine(LedgerStore.FileName), "not json");
        File.WriteAllText(_state.Combine(LedgerStore.PreviousFileName), "{\"version\":99}");
        _proc.Set("eth0", 5000, 5000);
        using var source = CreateSut();

        var reading = source.Read(Period());

        Assert.Equal(0, reading.Counted(CountMode.Total));
        Assert.Single(Directory.GetFiles(_state.Path, "ledger.json.damaged-*"));
        Assert.Single(Directory.GetFiles(_state.Path, "ledger.previous.json.damaged-*"));
        _proc.Add("eth0", 10, 20);
        Assert.Equal(30, source.Read(Period()).Counted(CountMode.Total));
    }

    [Fact]
    public void Read_BetweenCheckpoints_LeavesTheFileAloneUntilTheIntervalPasses()
    {
        _proc.Set("eth0", 0, 0);
        using var source = CreateSut(checkpoint: TimeSpan.FromSeconds(60));
        source.Read(Period());
        var path = _state.Combine(LedgerStore.FileName);
        var first = File.ReadAllText(path);

        _proc.Add("eth0", 100, 0);
        _time.Advance(TimeSpan.FromSeconds(59));
        source.Read(Period());
        Assert.Equal(first, File.ReadAllText(path));

        _time.Advance(TimeSpan.FromSeconds(1));
        source.Read(Period());
        Assert.NotEqual(first, File.ReadAllText(path));
    }

    [Fact]
    public void Read_DryRun_WritesNothing()
    {
        _proc.Set("eth0", 10, 10);
        using (var source = CreateSut(dryRun: true))
        {
            source.Read(Period());
        }

        Assert.Empty(Directory.GetFiles(_state.Path));
    }

    [Fact]
    public void Read_OnlyVirtualInterfaces_SaysWhichToName()
    {
        _proc.Set("lo", 1, 1).Set("veth12", 1, 1);
        using var source = CreateSut();

        var error = Assert.Throws<UsageUnavailableException>(() => source.Read(Period()));

        Assert.Contains("(it has: lo, veth12)", error.Message, StringComparison.Ordinal);
        Assert.Contains("monitor.interfaces", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LedgerDaysSumPast2To63_IsBadDataNotZero()
    {
        using var source = CreateSut();
        _proc.Set("eth0", 0, 0);
        source.Read(Period());
        _proc.Add("eth0", 5_000_000_000_000_000_000, 0);
        source.Read(Period());
        _time.Advance(TimeSpan.FromDays(1));
        _proc.Add("eth0", 5_000_000_000_000_000_000, 0);

        var error = Assert.Throws<UsageUnavailableException>(() => source.Read(Period()));

        Assert.Contains("2^63", error.Message, StringComparison.Ordinal);
        Assert.Contains(source.LedgerPath, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_OneDayPast2To63_IsBadDataNotACrash()
    {
        using var source = CreateSut();
        _proc.Set("eth0", 0, 0);
        source.Read(Period());
        _proc.Add("eth0", 5_000_000_000_000_000_000, 0);
        source.Read(Period());
        _proc.Add("eth0", 5_000_000_000_000_000_000, 0);

        var error = Assert.Throws<UsageUnavailableException>(() => source.Read(Period()));

        Assert.Contains("2^63", error.Message, StringComparison.Ordinal);
    }
}
