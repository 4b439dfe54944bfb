using System.Globalization;
using TrafficMonitor.Tests.Components;
using TrafficMonitor.Usage.VnStat;

namespace TrafficMonitor.Tests.Usage.VnStat;

public sealed class SqliteTableReaderTests
{
    [Fact]
    public void ReadTable_VnStatsOwnDatabase_ReadsTheInterfaceRowsAsSqliteDoes()
    {
        using var db = new VnStatDatabase().AddInterface("eth0").AddInterface("ens3");
        db.Sql("update interface set rxcounter=18446744073709551, txcounter=4294967296, updated='2026-11-23 10:11:12' where name='ens3';");

        var rows = SqliteTableReader.ReadTable(db.DatabaseFile, "interface");

        var ens3 = Assert.Single(rows, r => (string?)r["name"] == "ens3");
        Assert.Equal(18446744073709551L, ens3["rxcounter"]);
        Assert.Equal(4294967296L, ens3["txcounter"]);
        Assert.Equal("2026-11-23 10:11:12", ens3["updated"]);
        Assert.Equal(Programs.Run("sqlite3", db.DatabaseFile, "select id from interface where name='ens3'").Trim(), ((long)ens3["id"]!).ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void ReadTable_ManyRowsAndLongText_WalksInteriorPagesAndOverflowChains()
    {
        using var dir = new TempDirectory();
        var file = dir.Combine("t.db");
        var longText = new string('x', 9000);
        Programs.Run("sqlite3", file,
            "create table interface(id INTEGER PRIMARY KEY, name TEXT, rxcounter INTEGER, note TEXT);" +
            "with recursive n(i) as (select 1 union all select i+1 from n where i < 3000) " +
            "insert into interface(name, rxcounter, note) select 'if' || i, i * 1000003, case when i = 1234 then '" + longText + "' else null end from n;");

        var rows = SqliteTableReader.ReadTable(file, "interface");

        Assert.Equal(3000, rows.Count);
        Assert.Equal(2999L * 1000003, rows.Single(r => (string?)r["name"] == "if2999")["rxcounter"]);
        Assert.Equal(longText, rows.Single(r => (string?)r["name"] == "if1234")["note"]);
    }
}
