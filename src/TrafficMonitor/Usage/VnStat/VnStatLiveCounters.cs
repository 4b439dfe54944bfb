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

    public IReadOnlyDictionary<string, VnStatCounters> ReadDatabase()
    {
        // Pages in the -wal file are newer than the main file: its counters could be older than the traffic vnStat
        // reports, and adding the kernel's movement since them would count some bytes twice.
        var wal = new FileInfo(DatabaseFile + "-wal");
        if (wal.Exists && wal.Length > 0)
        {
            throw new InvalidDataException("vnStat keeps a write-ahead log (DatabaseWriteAheadLogging 1), which this reader does not follow");
        }

        var rows = SqliteTableReader.ReadTable(DatabaseFile, "interface");
        var result = new Dictionary<string, VnStatCounters>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (row.GetValueOrDefault("name") is string name && row.GetValueOrDefault("rxcounter") is long rx && row.GetValueOrDefault("txcounter") is long tx)
            {
                result[name] = new VnStatCounters(name, (ulong)rx, (ulong)tx, Updated(row.GetValueOrDefault("updated")));
            }
        }

        return result;
    }

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
