using System.Globalization;

namespace TrafficMonitor.Tests.Components;

/// <summary>
/// A real vnStat 2.x database in a temp directory, made by vnStat's own tools, with traffic rows the test writes
/// (the recipe in shared/docs/test-components.md). <see cref="ConfigFile"/> is what <c>vnstat.config</c> points at.
/// </summary>
public sealed class VnStatDatabase : IDisposable
{
    private readonly TempDirectory _directory = new();

    /// <param name="writeAheadLog">vnStat's <c>DatabaseWriteAheadLogging 1</c>: SQLite's WAL journal mode instead of a rollback journal.</param>
    public VnStatDatabase(bool writeAheadLog = false)
    {
        Directory.CreateDirectory(_directory.Combine("db"));
        ConfigFile = _directory.Write(
            "vnstat.conf", $"DatabaseDir \"{_directory.Combine("db")}\"\nUseLogging 0\nDatabaseWriteAheadLogging {(writeAheadLog ? 1 : 0)}\n");
        Programs.Run("vnstatd", "--initdb", "--config", ConfigFile);
    }

    public string ConfigFile { get; }

    public string DatabaseDirectory => _directory.Combine("db");

    public string DatabaseFile => _directory.Combine("db", "vnstat.db");

    public VnStatDatabase AddInterface(string name)
    {
        Programs.Run("vnstat", "--config", ConfigFile, "--add", "-i", name, "--force");
        return this;
    }

    public VnStatDatabase SetMonth(string interfaceName, int year, int month, long rx, long tx) =>
        Sql($"insert or replace into month(interface,date,rx,tx) values ({Id(interfaceName)},'{year:D4}-{month:D2}-01',{rx},{tx});");

    public VnStatDatabase SetDay(string interfaceName, DateOnly day, long rx, long tx) =>
        Sql($"insert or replace into day(interface,date,rx,tx) values ({Id(interfaceName)},'{day:yyyy-MM-dd}',{rx},{tx});");

    /// <summary>When vnStat last updated the interface, in the machine's local time as vnStat stores it.</summary>
    public VnStatDatabase SetUpdated(string interfaceName, DateTime localTime) =>
        Sql($"update interface set updated='{localTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}' where id={Id(interfaceName)};");

    public VnStatDatabase Sql(string statements)
    {
        Programs.Run("sqlite3", DatabaseFile, statements);
        return this;
    }

    public void Dispose() => _directory.Dispose();

    private string Id(string interfaceName) =>
        Programs.Run("sqlite3", DatabaseFile, $"select id from interface where name='{interfaceName}';").Trim() is { Length: > 0 } id
            ? id
            : throw new InvalidOperationException($"no interface {interfaceName} in the test database");
}
