using System.Runtime.InteropServices;
using static TrafficMonitor.Usage.VnStat.SqliteNative;

namespace TrafficMonitor.Usage.VnStat;

/// <summary>SQLite could not answer a query; <see cref="ResultCode"/> is SQLite's extended result code (0 when the library is missing).</summary>
public sealed class SqliteException(string message, int resultCode, Exception? inner = null) : IOException(message, inner)
{
    public const int Busy = 5;
    public const int Locked = 6;
    public const int ReadOnly = 8;
    public const int Corrupt = 11;
    public const int CantOpen = 14;
    public const int NotADatabase = 26;

    /// <summary>SQLITE_READONLY_ROLLBACK: a hot journal, left by a writer that died, which a read-only connection cannot roll back.</summary>
    public const int ReadOnlyRollback = ReadOnly | (3 << 8);

    public int ResultCode { get; } = resultCode;

    public int PrimaryCode => ResultCode & 0xFF;

    public bool LibraryMissing => ResultCode == 0;
}

/// <summary>
/// One query on an SQLite database through SQLite itself, read-only: it takes SQLite's locks (a writer's transaction
/// is never read half done; a lock is waited for up to the busy timeout), follows a write-ahead log, and refuses a
/// hot journal rather than read pages a dead writer left behind.
/// </summary>
public static class SqliteQuery
{
    /// <summary>Every row of <paramref name="sql"/>: integers as long, reals as double, text as string, anything else null.</summary>
    /// <exception cref="SqliteException">The library is missing, or SQLite could not open the database or run the query.</exception>
    public static List<object?[]> Rows(string path, string sql, TimeSpan busyTimeout)
    {
        nint db = 0;
        nint statement = 0;
        try
        {
            var result = Open(path, out db, OpenReadOnly | OpenExtendedResultCodes, null);
            if (result != Ok)
            {
                throw Failure(db, result, $"cannot open {path}");
            }

            _ = ExtendedResultCodes(db, 1);
            _ = BusyTimeout(db, (int)busyTimeout.TotalMilliseconds);
            result = Prepare(db, sql, -1, out statement, 0);
            if (result != Ok)
            {
                throw Failure(db, result, $"cannot query {path}");
            }

            var columns = ColumnCount(statement);
            var rows = new List<object?[]>();
            while ((result = Step(statement)) == Row)
            {
                var row = new object?[columns];
                for (var i = 0; i < columns; i++)
                {
                    row[i] = ColumnType(statement, i) switch
                    {
                        TypeInteger => ColumnInt64(statement, i),
                        TypeFloat => ColumnDouble(statement, i),
                        TypeText => Marshal.PtrToStringUTF8(ColumnText(statement, i), ColumnBytes(statement, i)),
                        _ => null,
                    };
                }

                rows.Add(row);
            }

            return result == Done ? rows : throw Failure(db, result, $"cannot read {path}");
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new SqliteException($"SQLite's library {Library} cannot be loaded ({e.Message})", 0, e);
        }
        finally
        {
            if (statement != 0)
            {
                _ = FinalizeStatement(statement);
            }

            if (db != 0)
            {
                _ = Close(db);
            }
        }
    }

    private static SqliteException Failure(nint db, int result, string what)
    {
        // After a failed open the handle still carries the message; without one, SQLite's text for the code.
        var message = Marshal.PtrToStringUTF8(db != 0 ? ErrorMessage(db) : ErrorString(result)) ?? $"error {result}";
        return new SqliteException($"{what}: {message} (SQLite error {result})", result);
    }
}
