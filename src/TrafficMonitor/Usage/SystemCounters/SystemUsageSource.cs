using Microsoft.Extensions.Logging;
using TrafficMonitor.Configuration;
using TrafficMonitor.Monitoring;
using TrafficMonitor.Platform;
using TrafficMonitor.Quota;
using TrafficMonitor.State;
using TrafficMonitor.Hosting;

namespace TrafficMonitor.Usage.SystemCounters;

/// <summary>
/// Usage from the OS's own interface counters, kept in a <see cref="Ledger"/> in <c>state_dir</c>. Each reading adds
/// what the kernel counted since the last one; the ledger reaches the disk every <c>monitor.checkpoint_interval</c>
/// and when the monitor stops. A dry run (and <c>status</c>) reads the ledger and the counters but writes nothing.
/// </summary>
public sealed partial class SystemUsageSource(
    IInterfaceCounters counters,
    LedgerStore store,
    MonitorOptions monitor,
    RunMode runMode,
    TimeProvider timeProvider,
    ILogger<SystemUsageSource> logger,
    HostPlatform platform) : IUsageSource, IDisposable
{
    private readonly Lock _lock = new();
    private Ledger? _ledger;
    private DateTimeOffset? _lastCheckpoint;
    private DateOnly _lastCheckpointDay;
    private bool _dirty;

    public string Name => MonitorOptions.SystemProvider;

    public string LedgerPath => store.FilePath;

    public Task<UsageReading> ReadAsync(BillingPeriod period, CancellationToken cancellationToken) => Task.FromResult(Read(period));

    public UsageReading Read(BillingPeriod period)
    {
        lock (_lock)
        {
            var snapshot = counters.Read();
            var (now, today) = Clock();
            _ledger ??= store.Load(readOnly: !runMode.KeepsState);
            var countSinceBoot = snapshot.BootedAt is { } booted && booted >= period.StartsAt(timeProvider.LocalTimeZone);
            IReadOnlyList<CounterEvent> events;
            try
            {
                events = LedgerAccounting.Record(_ledger, snapshot, today, now, countSinceBoot);
            }
            catch (OverflowException)
            {
                // Part of this reading may be in the ledger now; it is not written, and the next reading meets the
                // same impossible number until the ledger is fixed.
                throw Impossible("a day's count would pass 2^63 bytes (8 EiB) with what the kernel counted since the last reading");
            }

            _dirty = true;
            var important = false;
            foreach (var e in events)
            {
                important |= e.Kind is not CounterEventKind.Appeared and not CounterEventKind.Wrapped;
                Log(e);
            }

            if (_lastCheckpoint is null || important || today != _lastCheckpointDay || now - _lastCheckpoint >= monitor.CheckpointInterval)
            {
                Checkpoint(now, today);
            }

            return Reading(_ledger, snapshot, period);
        }
    }

    /// <summary>Writes the ledger now: the monitor is stopping (an OS shutdown stops the service, which disposes this).</summary>
    public void Flush()
    {
        lock (_lock)
        {
            if (_ledger is not null && _dirty)
            {
                var (now, today) = Clock();
                Checkpoint(now, today);
            }
        }
    }

    public void Dispose()
    {
        try
        {
            Flush();
        }
        catch (UsageUnavailableException e)
        {
            LogFlushFailed(e.Message);
        }
    }

    private void Checkpoint(DateTimeOffset now, DateOnly today)
    {
        if (!runMode.KeepsState)
        {
            return;
        }

        try
        {
            store.Save(_ledger!);
        }
        catch (UsageUnavailableException e) when (e.InnerException is StateException)
        {
            // A read-only or full state directory must not blind the monitor: the counts go on in memory, and the
            // check says every time that state cannot be kept.
            LogCheckpointFailed(e.Message);
        }

        _lastCheckpoint = now;
        _lastCheckpointDay = today;
        _dirty = false;
    }

    private (DateTimeOffset Now, DateOnly Today) Clock()
    {
        var time = CheckTime.From(timeProvider);
        return (time.Now, time.Today);
    }

    private UsageReading Reading(Ledger ledger, CountersSnapshot snapshot, BillingPeriod period)
    {
        // Interfaces gone since (a USB modem unplugged) still count for the days they moved traffic.
        var available = new HashSet<string>(snapshot.Interfaces.Select(i => i.Name), StringComparer.Ordinal);
        foreach (var (name, entry) in ledger.Interfaces)
        {
            if (entry.LastRx is null && entry.Days.Keys.Any(period.Contains))
            {
                available.Add(name);
            }
        }

        var selected = InterfaceSelection.Select(available, monitor.Interfaces, "the system's interfaces", platform);
        var usages = new List<InterfaceUsage>(selected.Count);
        var rows = new List<(DateOnly, long, long)>();
        foreach (var name in selected)
        {
            ledger.Interfaces.TryGetValue(name, out var entry);
            long rx = 0, tx = 0;
            try
            {
                (rx, tx) = entry?.Sum(period.Contains) ?? (0, 0);
            }
            catch (OverflowException)
            {
                throw Impossible($"the days of {name} in the period {period} add up to more than 2^63 bytes (8 EiB)");
            }

            usages.Add(new InterfaceUsage(name, rx, tx));
            if (entry is not null)
            {
                rows.AddRange(entry.Days.Select(d => (d.Key, d.Value.Rx, d.Value.Tx)));
            }
        }

        return new UsageReading(Name, period, usages, ledger.UpdatedAt) { LineRate = counters.LineRate(selected), Days = UsageReading.SumDays(rows, period) }.Verified();
    }

    private UsageUnavailableException Impossible(string what) => new(
        $"The traffic ledger {store.FilePath} holds impossible numbers: {what}, which no link moves. It is damaged: " +
        "stop the monitor, move ledger.json and ledger.previous.json aside (counting then starts again from now) and set the period's usage with 'traffic-monitor set-usage'");

    private void Log(CounterEvent e)
    {
        switch (e.Kind)
        {
            // A command that only looks (status) starts no ledger: it reads as the monitor would, and says so only on request.
            case CounterEventKind.Baseline:
                LogBaseline(runMode == RunMode.ReadOnly ? LogLevel.Debug : LogLevel.Warning, store.FilePath);
                break;
            case CounterEventKind.CountedSinceBoot:
                LogCountedSinceBoot(runMode == RunMode.ReadOnly ? LogLevel.Debug : LogLevel.Information, store.FilePath);
                break;
            case CounterEventKind.NewBoot:
                LogNewBoot();
                break;
            case CounterEventKind.Reset:
                LogReset(e.Interface!, e.Previous, e.Current);
                break;
            case CounterEventKind.Wrapped:
                LogWrapped(e.Interface!);
                break;
            case CounterEventKind.Appeared:
                LogAppeared(e.Interface!);
                break;
        }
    }

    [LoggerMessage(EventId = LogEvents.LedgerBaseline,
        Message = "Starting a new traffic ledger {Path}: traffic before now in this period is not known to it. " +
                  "If some was used, set the period's usage from your provider's panel with 'traffic-monitor set-usage'")]
    private partial void LogBaseline(LogLevel level, string path);

    [LoggerMessage(EventId = LogEvents.LedgerCountedSinceBoot,
        Message = "Starting a new traffic ledger {Path}: the machine booted in this period, so everything the kernel counted since boot is counted")]
    private partial void LogCountedSinceBoot(LogLevel level, string path);

    [LoggerMessage(EventId = LogEvents.NewBoot, Level = LogLevel.Information,
        Message = "The machine rebooted since the last reading: counting what the kernel counted since boot (traffic after the last checkpoint before the reboot is lost)")]
    private partial void LogNewBoot();

    [LoggerMessage(EventId = LogEvents.CountersReset, Level = LogLevel.Information,
        Message = "The counters of {Interface} went back from {Previous} to {Current} (interface re-created or driver reloaded): counting them from zero")]
    private partial void LogReset(string @interface, ulong previous, ulong current);

    [LoggerMessage(EventId = LogEvents.CounterWrapped, Level = LogLevel.Debug, Message = "A 32-bit counter of {Interface} wrapped around: counted across the wrap")]
    private partial void LogWrapped(string @interface);

    [LoggerMessage(EventId = LogEvents.InterfaceAppeared, Level = LogLevel.Debug, Message = "Interface {Interface} appeared: all its traffic is counted")]
    private partial void LogAppeared(string @interface);

    [LoggerMessage(EventId = LogEvents.LedgerCheckpointFailed, Level = LogLevel.Warning,
        Message = "The traffic ledger could not be written, so counting goes on in memory only (a restart counts from the last ledger written): {Reason}")]
    private partial void LogCheckpointFailed(string reason);

    [LoggerMessage(EventId = LogEvents.LedgerFlushFailed, Level = LogLevel.Error, Message = "The traffic ledger could not be written when stopping: {Reason}")]
    private partial void LogFlushFailed(string reason);
}
