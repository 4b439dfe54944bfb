namespace TrafficMonitor.Usage.SystemCounters;

/// <summary>What a reading found beyond plain counting, worth telling the admin.</summary>
public enum CounterEventKind
{
    /// <summary>A new ledger: the counters so far are taken as the starting point, not as traffic.</summary>
    Baseline,

    /// <summary>A new ledger on a machine booted during this period: everything since boot is counted.</summary>
    CountedSinceBoot,

    /// <summary>The machine rebooted since the last reading: what the kernel counted since boot is counted.</summary>
    NewBoot,

    /// <summary>The counter went down within the same boot (interface re-created, driver reloaded): counted from zero.</summary>
    Reset,

    /// <summary>A 32-bit counter passed its maximum and started again.</summary>
    Wrapped,

    /// <summary>An interface that was not there at the last reading: all it counted is new traffic.</summary>
    Appeared,
}

public readonly record struct CounterEvent(CounterEventKind Kind, string? Interface, ulong Previous = 0, ulong Current = 0);

/// <summary>
/// Turns raw counter readings into per-day traffic in a <see cref="Ledger"/>, pure: no I/O, no clock. Every byte
/// the kernel counted between two readings is added once, to the day of the later reading.
/// </summary>
public static class LedgerAccounting
{
    /// <summary>Boot times from the time since boot wobble by a little; a reboot moves them by far more.</summary>
    public static readonly TimeSpan BootTimeTolerance = TimeSpan.FromMinutes(2);

    /// <exception cref="OverflowException">A day's count would pass 2^63 bytes: the ledger or the counters are bad data.</exception>
    /// <param name="countSinceBoot">
    /// For a new ledger only: count what the kernel counted since boot (the machine booted within the current period),
    /// instead of taking the counters as the starting point.
    /// </param>
    public static IReadOnlyList<CounterEvent> Record(Ledger ledger, CountersSnapshot snapshot, DateOnly today, DateTimeOffset now, bool countSinceBoot)
    {
        var events = new List<CounterEvent>();
        var fresh = ledger.UpdatedAt is null;
        if (fresh)
        {
            events.Add(new CounterEvent(countSinceBoot ? CounterEventKind.CountedSinceBoot : CounterEventKind.Baseline, null));
        }
        else if (!SameBoot(ledger, snapshot))
        {
            events.Add(new CounterEvent(CounterEventKind.NewBoot, null));
            foreach (var entry in ledger.Interfaces.Values)
            {
                entry.LastRx = null;
                entry.LastTx = null;
            }
        }

        var baselineOnly = fresh && !countSinceBoot;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sample in snapshot.Interfaces)
        {
            seen.Add(sample.Name);
            if (!ledger.Interfaces.TryGetValue(sample.Name, out var entry))
            {
                entry = new LedgerInterface();
                ledger.Interfaces[sample.Name] = entry;
            }

            if (entry.LastRx is null && !fresh && events.All(e => e.Kind != CounterEventKind.NewBoot))
            {
                events.Add(new CounterEvent(CounterEventKind.Appeared, sample.Name, 0, sample.Rx));
            }

            var rx = Delta(entry.LastRx, sample.Rx, baselineOnly, snapshot.CounterBits, sample.Name, events);
            var tx = Delta(entry.LastTx, sample.Tx, baselineOnly, snapshot.CounterBits, sample.Name, events);
            if (rx > 0 || tx > 0)
            {
                // Both sums before either is stored: an overflow leaves this interface exactly as it was.
                var day = entry.Days.GetValueOrDefault(today);
                var (dayRx, dayTx) = (checked((day?.Rx ?? 0) + (long)rx), checked((day?.Tx ?? 0) + (long)tx));
                day ??= entry.Days[today] = new DayTraffic();
                (day.Rx, day.Tx) = (dayRx, dayTx);
            }

            entry.LastRx = sample.Rx;
            entry.LastTx = sample.Tx;
        }

        foreach (var (name, entry) in ledger.Interfaces)
        {
            // Gone: if it comes back, its counters start again from zero and all of them are new traffic.
            if (!seen.Contains(name))
            {
                entry.LastRx = null;
                entry.LastTx = null;
            }
        }

        Prune(ledger, today);
        ledger.BootId = snapshot.BootId;
        ledger.BootedAt = snapshot.BootedAt;
        ledger.UpdatedAt = now;
        return events;
    }

    public static bool SameBoot(Ledger ledger, CountersSnapshot snapshot)
    {
        if (ledger.BootId is not null && snapshot.BootId is not null)
        {
            return string.Equals(ledger.BootId, snapshot.BootId, StringComparison.Ordinal);
        }

        if (ledger.BootedAt is { } before && snapshot.BootedAt is { } now)
        {
            return (now - before).Duration() < BootTimeTolerance;
        }

        // Nothing to tell boots apart: a reboot shows as counters going down, which counts as a reset.
        return true;
    }

    private static ulong Delta(ulong? last, ulong current, bool baselineOnly, int counterBits, string name, List<CounterEvent> events)
    {
        if (last is not { } previous)
        {
            return baselineOnly ? 0 : current;
        }

        if (current >= previous)
        {
            return current - previous;
        }

        if (counterBits == 32 && previous <= uint.MaxValue)
        {
            events.Add(new CounterEvent(CounterEventKind.Wrapped, name, previous, current));
            return current + (1UL << 32) - previous;
        }

        events.Add(new CounterEvent(CounterEventKind.Reset, name, previous, current));
        return current;
    }

    private static void Prune(Ledger ledger, DateOnly today)
    {
        var cutoff = today.AddDays(-Ledger.KeepDays);
        List<string>? forgotten = null;
        foreach (var (name, entry) in ledger.Interfaces)
        {
            while (entry.Days.Count > 0 && entry.Days.Keys.First() < cutoff)
            {
                entry.Days.Remove(entry.Days.Keys.First());
            }

            // Short-lived interfaces (containers come and go) would otherwise pile up.
            if (entry.LastRx is null && entry.Days.Count == 0)
            {
                (forgotten ??= []).Add(name);
            }
        }

        forgotten?.ForEach(name => ledger.Interfaces.Remove(name));
    }
}
