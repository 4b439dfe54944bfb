using System.Globalization;
using TrafficMonitor.Configuration;
using TrafficMonitor.Usage.SystemCounters;

namespace TrafficMonitor.Usage.VnStat;

/// <summary>What vnStat last wrote about one interface: the raw kernel counters it had seen, and when.</summary>
public sealed record VnStatCounters(string Name, ulong Rx, ulong Tx, DateTimeOffset? Updated);

/// <summary>
/// Makes vnStat's numbers live: vnStat writes its database every SaveInterval (5 minutes by default), together with
/// the raw kernel counters it had counted up to (table <c>interface</c>: rxcounter, txcounter). What the kernel
/// counted since those is traffic vnStat has not written yet, so it is added.
/// </summary>
public sealed class VnStatLiveCounters(VnStatOptions options, TimeProvider timeProvider)
{
    public const string DefaultDatabaseDirectory = "/var/lib/vnstat";
    public const string DefaultConfigFile = "/etc/vnstat.conf";

    /// <summary>vnStat's daemon holds its lock for the moment it writes; longer means another program holds it.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(1);

    private string? _databaseFile;

    /// <summary>vnStat's database file: vnstat.dbdir, else DatabaseDir in vnStat's config file, else vnStat's default.</summary>
    public string DatabaseFile => _databaseFile ??= Path.Combine(options.DbDir ?? ConfiguredDirectory() ?? DefaultDatabaseDirectory, "vnstat.db");

    /// <summary>
    /// The database's last change (time, length), to tell whether vnStat wrote since the last look; with
    /// write-ahead logging (vnStat's DatabaseWriteAheadLogging 1) writes land in the -wal file first, so it counts too.
    /// </summary>
    public (DateTime, long)? DatabaseVersion()
    {
        var info = new FileInfo(DatabaseFile);
        var wal = new FileInfo(DatabaseFile + "-wal");
        return info.Exists
            ? (wal.Exists && wal.LastWriteTimeUtc > info.LastWriteTimeUtc ? wal.LastWriteTimeUtc : info.LastWriteTimeUtc, info.Length + (wal.Exists ? wal.Length : 0))
            : null;
    }

    /// <summary>
    /// The counters vnStat last committed, read through SQLite, read-only. A write-ahead log is followed (its pages are
    /// the newest); a writer's transaction is never read half done: a lock is waited for up to
    /// <see cref="BusyTimeout"/>, and a hot journal left by a dead writer is refused.
    /// </summary>
    /// <exception cref="IOException">The database cannot be read now; the message says why and what to do.</exception>
    public IReadOnlyDictionary<string, VnStatCounters> ReadDatabase()
    {
        List<object?[]> rows;
        try
        {
            rows = SqliteQuery.Rows(DatabaseFile, "select name, rxcounter, txcounter, updated from interface", BusyTimeout);
        }
        catch (SqliteException e)
        {
            throw new IOException($"{e.Message}: {Advice(e)}", e);
        }

        var result = new Dictionary<string, VnStatCounters>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            // Counters SQLite does not hold as integers (past 2^63 vnStat's text becomes a real) are not known exactly:
            // that interface is left to vnStat's own numbers.
            if (row is [string name, long rx and >= 0, long tx and >= 0, var updated])
            {
                result[name] = new VnStatCounters(name, (ulong)rx, (ulong)tx, Updated(updated));
            }
        }

        return result;
    }

    private string Advice(SqliteException e) => e switch
    {
        { LibraryMissing: true } =>
            "install SQLite's library (Debian/Ubuntu: apt install libsqlite3-0; vnStat itself needs it), or use monitor.provider: system",
        { PrimaryCode: SqliteException.Busy or SqliteException.Locked } =>
            "another program holds a lock on vnStat's database for longer than vnStat's daemon does when it writes (a sqlite3 session " +
            $"or a backup with a transaction open?): find it with 'fuser -v {DatabaseFile}'. It is tried again at the next check",
        { ResultCode: SqliteException.ReadOnlyRollback } =>
            "a program that was writing it died mid-transaction and left its journal; vnStat rolls it back the next time it opens " +
            "the database to write (restart vnStat's daemon: systemctl restart vnstat)",
        { PrimaryCode: SqliteException.Corrupt or SqliteException.NotADatabase } =>
            "the file is not a readable vnStat database: check vnstat.dbdir (or DatabaseDir in vnStat's config) and that 'vnstat' itself can read it",
        { PrimaryCode: SqliteException.ReadOnly } =>
            "vnStat keeps a write-ahead log: let this user read and write its -shm file next to the database (or run as vnStat's user or root), " +
            "or use monitor.provider: system",
        _ when e.Message.Contains("no such", StringComparison.Ordinal) =>
            "this is not a vnStat 2.x database: point vnstat.dbdir at vnStat's database directory",
        _ => $"let this user read {DatabaseFile} (or set vnstat.dbdir), or use monitor.provider: system",
    };

    /// <summary>The interfaces' traffic since vnStat last wrote them, from the kernel's counters now.</summary>
    public static IReadOnlyDictionary<string, (long Rx, long Tx)> Unwritten(IReadOnlyDictionary<string, VnStatCounters> written, CountersSnapshot kernel)
    {
        var result = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        foreach (var sample in kernel.Interfaces)
        {
            // Counters still at zero: vnStat's daemon has not read this interface yet (it takes its first reading as
            // the starting point, not as traffic), so nothing is known to be unwritten.
            if (!written.TryGetValue(sample.Name, out var seen) || (seen.Rx == 0 && seen.Tx == 0))
            {
                continue;
            }

            // vnStat's counters from before this boot say nothing about today's: all since boot is unwritten.
            var otherBoot = seen.Updated is { } updated && kernel.BootedAt is { } booted && updated < booted;
            result[sample.Name] = (Since(seen.Rx, sample.Rx, otherBoot), Since(seen.Tx, sample.Tx, otherBoot));
        }

        return result;
    }

    private static long Since(ulong written, ulong now, bool otherBoot) =>
        (long)(otherBoot || now < written ? now : now - written);

    private DateTimeOffset? Updated(object? value)
    {
        if (value is not string text || !DateTime.TryParseExact(text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return null;
        }

        var zone = timeProvider.LocalTimeZone;
        return zone.IsInvalidTime(local) ? null : new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    private string? ConfiguredDirectory()
    {
        var config = options.Config ?? DefaultConfigFile;
        try
        {
            foreach (var line in File.ReadLines(config))
            {
                var trimmed = line.Trim();
                if (trimmed.StartsWith("DatabaseDir", StringComparison.Ordinal))
                {
                    return trimmed["DatabaseDir".Length..].Trim().Trim('"');
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }
}
