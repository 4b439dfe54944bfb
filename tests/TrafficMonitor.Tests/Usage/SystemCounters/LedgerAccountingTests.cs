using TrafficMonitor.Usage.SystemCounters;

namespace TrafficMonitor.Tests.Usage.SystemCounters;

public sealed class LedgerAccountingTests
{
    private static readonly DateOnly Day = new(2026, 11, 23);
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static CountersSnapshot Snapshot(string boot, ulong rx, ulong tx, int bits = 64) =>
        new(boot, Now.AddDays(-1), [new CounterSample("eth0", rx, tx)], bits);

    private static (long Rx, long Tx) Today(Ledger ledger) =>
        ledger.Interfaces["eth0"].Days.TryGetValue(Day, out var d) ? (d.Rx, d.Tx) : (0, 0);

    [Fact]
    public void Record_NewLedger_TakesTheCountersAsStartingPoint()
    {
        var ledger = new Ledger();

        var events = LedgerAccounting.Record(ledger, Snapshot("b1", 1000, 2000), Day, Now, countSinceBoot: false);

        Assert.Equal((0, 0), Today(ledger));
        Assert.Equal(CounterEventKind.Baseline, Assert.Single(events).Kind);
    }

    [Fact]
    public void Record_NewLedgerBootedThisPeriod_CountsEverythingSinceBoot()
    {
        var ledger = new Ledger();

        LedgerAccounting.Record(ledger, Snapshot("b1", 1000, 2000), Day, Now, countSinceBoot: true);

        Assert.Equal((1000, 2000), Today(ledger));
    }

    [Fact]
    public void Record_CountersMoved_AddsExactlyTheDifference()
    {
        var ledger = new Ledger();
        LedgerAccounting.Record(ledger, Snapshot("b1", 1000, 2000), Day, Now, false);

        LedgerAccounting.Record(ledger, Snapshot("b1", 1500, 2100), Day, Now, false);
        LedgerAccounting.Record(ledger, Snapshot("b1", 1600, 2100), Day, Now, false);

        Assert.Equal((600, 100), Today(ledger));
    }

    [Fact]
    public void Record_CounterWentDownSameBoot_CountsTheNewCounterFromZero()
    {
        var ledger = new Ledger();
        LedgerAccounting.Record(ledger, Snapshot("b1", 1000, 2000), Day, Now, false);
        LedgerAccounting.Record(ledger, Snapshot("b1", 1400, 2000), Day, Now, false);

        var events = LedgerAccounting.Record(ledger, Snapshot("b1", 300, 50), Day, Now, false);

        Assert.Equal((400 + 300, 50), Today(ledger));
        Assert.Contains(events, e => e.Kind == CounterEventKind.Reset);
    }

    [Fact]
    public void Record_32BitCounterWrapped_CountsAcrossTheWrap()
    {
        var ledger = new Ledger();
        LedgerAccounting.Record(ledger, Snapshot("b1", uint.MaxValue - 99, 10, bits: 32), Day, Now, false);

        var events = LedgerAccounting.Record(ledger, Snapshot("b1", 50, 10, bits: 32), Day, Now, false);

        Assert.Equal((150, 0), Today(ledger));
        Assert.Contains(events, e => e.Kind == CounterEventKind.Wrapped);
    }

    [Fact]
    public void Record_OtherBoot_CountsWhatTheKernelCountedSinceBoot()
    {
        var ledger = new Ledger();
        LedgerAccounting.Record(ledger, Snapshot("b1", 1000, 2000), Day, Now, false);
        LedgerAccounting.Record(ledger, Snapshot("b1", 5000, 9000), Day, Now, false);

        // After the reboot the counters are higher than before it: only the boot id tells them apart.
        var events = LedgerAccounting.Record(ledger, Snapshot("b2", 7000, 10000), Day, Now, false);

        Assert.Equal((4000 + 7000, 7000 + 10000), Today(ledger));
        Assert.Equal(CounterEventKind.NewBoot, Assert.Single(events).Kind);
    }

    [Fact]
    public void Record_NoBootIdBootTimeWithinTolerance_IsTheSameBoot()
    {
        var ledger = new Ledger();
        CountersSnapshot At(DateTimeOffset booted, ulong rx) => new(null, booted, [new CounterSample("eth0", rx, 0)]);
        LedgerAccounting.Record(ledger, At(Now.AddHours(-5), 1000), Day, Now, false);

        LedgerAccounting.Record(ledger, At(Now.AddHours(-5).AddSeconds(30), 1500), Day, Now, false);
        Assert.Equal((500, 0), Today(ledger));

        LedgerAccounting.Record(ledger, At(Now.AddMinutes(-1), 200), Day, Now, false);
        Assert.Equal((700, 0), Today(ledger));
    }

    [Fact]
    public void Record_InterfaceGoneThenBack_CountsAllOfItsNewCounters()
    {
        var ledger = new Ledger();
        LedgerAccounting.Record(ledger, Snapshot("b1", 1000, 1000), Day, Now, false);
        LedgerAccounting.Record(ledger, Snapshot("b1", 3000, 1000), Day, Now, false);
        LedgerAccounting.Record(ledger, new CountersSnapshot("b1", Now, []), Day, Now, false);

        // Re-created, and already past its old counter value: without the absence this would be miscounted.
        LedgerAccounting.Record(ledger, Snapshot("b1", 5000, 0), Day, Now, false);

        Assert.Equal((2000 + 5000, 0), Today(ledger));
    }

    [Fact]
    public void Record_TrafficGoesToTheDayOfTheReading()
    {
        var ledger = new Ledger();
        LedgerAccounting.Record(ledger, Snapshot("b1", 0, 0), Day, Now, false);
        LedgerAccounting.Record(ledger, Snapshot("b1", 100, 0), Day, Now, false);
        LedgerAccounting.Record(ledger, Snapshot("b1", 250, 0), Day.AddDays(1), Now, false);

        Assert.Equal(100, ledger.Interfaces["eth0"].Days[Day].Rx);
        Assert.Equal(150, ledger.Interfaces["eth0"].Days[Day.AddDays(1)].Rx);
    }

    [Fact]
    public void Record_OldDaysAndLongGoneInterfaces_AreForgotten()
    {
        var ledger = new Ledger();
        LedgerAccounting.Record(ledger, new CountersSnapshot("b1", Now, [new("eth0", 0, 0), new("veth1", 0, 0)]), Day, Now, false);
        LedgerAccounting.Record(ledger, new CountersSnapshot("b1", Now, [new("eth0", 10, 0), new("veth1", 10, 0)]), Day, Now, false);

        var later = Day.AddDays(Ledger.KeepDays + 1);
        LedgerAccounting.Record(ledger, new CountersSnapshot("b1", Now, [new("eth0", 20, 0)]), later, Now, false);

        Assert.False(ledger.Interfaces.ContainsKey("veth1"));
        Assert.Equal([later], ledger.Interfaces["eth0"].Days.Keys);
    }
}
