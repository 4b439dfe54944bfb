using Microsoft.Extensions.Time.Testing;
using TrafficMonitor.Configuration;
using TrafficMonitor.Tests.Components;
using TrafficMonitor.Usage.SystemCounters;
using TrafficMonitor.Usage.VnStat;

namespace TrafficMonitor.Tests.Usage.VnStat;

public sealed class VnStatLiveCountersTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static CountersSnapshot Kernel(ulong rx, ulong tx, DateTimeOffset? bootedAt = null) =>
        new("b", bootedAt ?? Now.AddDays(-3), [new CounterSample("eth0", rx, tx)]);

    private static Dictionary<string, VnStatCounters> Written(ulong rx, ulong tx, DateTimeOffset? updated = null) =>
        new() { ["eth0"] = new VnStatCounters("eth0", rx, tx, updated ?? Now.AddMinutes(-4)) };

    [Fact]
    public void Unwritten_CountersMovedSinceVnStatWrote_IsTheDifference() =>
        Assert.Equal((500L, 70L), VnStatLiveCounters.Unwritten(Written(1000, 30), Kernel(1500, 100))["eth0"]);

    [Fact]
    public void Unwritten_VnStatNeverReadTheInterface_IsNothing() =>
        Assert.False(VnStatLiveCounters.Unwritten(Written(0, 0), Kernel(1500, 100)).ContainsKey("eth0"));

    [Fact]
    public void Unwritten_CountersFromBeforeThisBoot_AllSinceBoot()
    {
        var unwritten = VnStatLiveCounters.Unwritten(Written(1000, 30, updated: Now.AddHours(-2)), Kernel(1500, 100, bootedAt: Now.AddHours(-1)));

        Assert.Equal((1500L, 100L), unwritten["eth0"]);
    }

    [Fact]
    public void Unwritten_CounterWentDown_AllOfTheNewCounter() =>
        Assert.Equal((200L, 20L), VnStatLiveCounters.Unwritten(Written(1000, 30), Kernel(200, 20))["eth0"]);

    [Fact]
    public void ReadDatabase_DatabaseDirFromVnStatsConfig_ReadsTheCounters()
    {
        using var db = new VnStatDatabase().AddInterface("eth0");
        db.Sql("update interface set rxcounter=123, txcounter=456, updated='2026-11-23 12:00:00' where name='eth0';");

        var counters = Live(db).ReadDatabase()["eth0"];

        Assert.Equal((123UL, 456UL, Now), (counters.Rx, counters.Tx, counters.Updated));
    }

    [Fact]
    public void ReadDatabase_SeveralInterfacesAndCountersPast2To32_ReadsEachAsSqliteHasIt()
    {
        using var db = new VnStatDatabase().AddInterface("eth0").AddInterface("ens3");
        db.Sql("update interface set rxcounter=18446744073709551, txcounter=4294967296, updated='2026-11-23 10:11:12' where name='ens3';");

        var counters = Live(db).ReadDatabase();

        Assert.Equal(["ens3", "eth0"], counters.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((18446744073709551UL, 4294967296UL), (counters["ens3"].Rx, counters["ens3"].Tx));
    }

    [Fact]
    public void ReadDatabase_WriteAheadLog_ReadsTheCountersVnStatCommittedThere()
    {
        using var db = new VnStatDatabase(writeAheadLog: true).AddInterface("eth0");
        // A second connection, as vnstatd's is: without one, the log is checkpointed into the database at each close.
        using var other = new SqliteSession(db.DatabaseFile);
        other.Execute("select count(*) from interface;");
        db.Sql("update interface set rxcounter=123, txcounter=456, updated='2026-11-23 12:00:00' where name='eth0';");
        Assert.True(new FileInfo(db.DatabaseFile + "-wal").Length > 0, "the counters should be in the write-ahead log");

        var counters = Live(db).ReadDatabase()["eth0"];

        Assert.Equal((123UL, 456UL, Now), (counters.Rx, counters.Tx, counters.Updated));
    }

    [Fact]
    public void ReadDatabase_WriteAheadLog_WriterMidTransaction_ReadsTheLastCommitWithoutWaiting()
    {
        using var db = new VnStatDatabase(writeAheadLog: true).AddInterface("eth0");
        using var writer = new SqliteSession(db.DatabaseFile);
        writer.Execute("update interface set rxcounter=123, txcounter=456 where name='eth0';");
        writer.Execute("begin; update interface set rxcounter=999, txcounter=999 where name='eth0';");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var counters = Live(db).ReadDatabase()["eth0"];

        Assert.Equal((123UL, 456UL), (counters.Rx, counters.Tx));
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(500), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task ReadDatabase_WriterHoldsTheLockBriefly_WaitsAndReadsWhatItCommitted()
    {
        using var db = new VnStatDatabase().AddInterface("eth0");
        using var writer = new SqliteSession(db.DatabaseFile);
        writer.Execute("begin exclusive; update interface set rxcounter=777, txcounter=888 where name='eth0';");

        var read = Task.Run(() => Live(db).ReadDatabase());
        await Task.Delay(300);
        Assert.False(read.IsCompleted, "the read should wait for the writer's lock");
        writer.Execute("commit;");

        var counters = (await read)["eth0"];
        Assert.Equal((777UL, 888UL), (counters.Rx, counters.Tx));
    }

    [Fact]
    public void ReadDatabase_LockedLongerThanItWaits_SaysSoAndWhatToDo()
    {
        using var db = new VnStatDatabase().AddInterface("eth0");
        using var writer = new SqliteSession(db.DatabaseFile);
        writer.Execute("begin exclusive; update interface set rxcounter=777 where name='eth0';");

        var error = Assert.ThrowsAny<IOException>(() => Live(db).ReadDatabase());

        Assert.Contains("database is locked", error.Message, StringComparison.Ordinal);
        Assert.Contains("another program holds a lock", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("systemctl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadDatabase_HotJournalOfAWriterThatDied_IsNeverReadAsData()
    {
        using var db = new VnStatDatabase().AddInterface("eth0");
        db.Sql("update interface set rxcounter=123, txcounter=456 where name='eth0';");
        using (var writer = new SqliteSession(db.DatabaseFile))
        {
            // A tiny page cache makes SQLite write uncommitted pages into the database file before the commit; the
            // journal keeps the originals, and whoever opens the database next for writing must roll them back.
            writer.Execute(
                "pragma cache_size=1; begin; update interface set rxcounter=999, txcounter=999 where name='eth0'; " +
                "with recursive n(i) as (select 1 union all select i+1 from n where i < 20000) " +
                "insert into fiveminute(interface,date,rx,tx) select 1, '2026-01-01 00:00:' || i, i, i from n;");
            writer.Kill();
        }

        Assert.True(File.Exists(db.DatabaseFile + "-journal"), "the dead writer should leave its journal");

        var error = Assert.ThrowsAny<IOException>(() => Live(db).ReadDatabase());

        Assert.Contains("journal", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadDatabase_NotADatabase_FailsAsUnreadable()
    {
        using var db = new VnStatDatabase();
        File.WriteAllText(db.DatabaseFile, "not a database, just text that is long enough to have a header and a page of its own\n");

        var error = Assert.ThrowsAny<IOException>(() => Live(db).ReadDatabase());

        Assert.Contains(db.DatabaseFile, error.Message, StringComparison.Ordinal);
    }

    private static VnStatLiveCounters Live(VnStatDatabase db) => new(new VnStatOptions { Config = db.ConfigFile }, new FakeTimeProvider(Now));
}
