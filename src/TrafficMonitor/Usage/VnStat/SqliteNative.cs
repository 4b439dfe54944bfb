using System.Runtime.InteropServices;

namespace TrafficMonitor.Usage.VnStat;

/// <summary>
/// The few calls of SQLite's C API that a read-only query needs, bound to the system's own SQLite. vnStat 2.x keeps
/// its database with SQLite (Debian's vnstat depends on libsqlite3-0), so the engine is there wherever the database
/// is. Source-generated marshalling only: no reflection, Native AOT compatible; the library is loaded at the first
/// call, so a machine without it only loses what needs it.
/// </summary>
internal static partial class SqliteNative
{
    public const string Library = "libsqlite3.so.0";

    public const int Ok = 0;
    public const int Row = 100;
    public const int Done = 101;

    public const int OpenReadOnly = 0x00000001;

    /// <summary>Extended result codes from sqlite3_open_v2 too (SQLite 3.37+; older versions ignore the flag).</summary>
    public const int OpenExtendedResultCodes = 0x02000000;

    public const int TypeInteger = 1;
    public const int TypeFloat = 2;
    public const int TypeText = 3;

    [LibraryImport(Library, EntryPoint = "sqlite3_open_v2", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string filename, out nint db, int flags, string? vfs);

    [LibraryImport(Library, EntryPoint = "sqlite3_close_v2")]
    public static partial int Close(nint db);

    [LibraryImport(Library, EntryPoint = "sqlite3_extended_result_codes")]
    public static partial int ExtendedResultCodes(nint db, int on);

    [LibraryImport(Library, EntryPoint = "sqlite3_busy_timeout")]
    public static partial int BusyTimeout(nint db, int milliseconds);

    [LibraryImport(Library, EntryPoint = "sqlite3_prepare_v2", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Prepare(nint db, string sql, int bytes, out nint statement, nint tail);

    [LibraryImport(Library, EntryPoint = "sqlite3_step")]
    public static partial int Step(nint statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_finalize")]
    public static partial int FinalizeStatement(nint statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_count")]
    public static partial int ColumnCount(nint statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_type")]
    public static partial int ColumnType(nint statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_int64")]
    public static partial long ColumnInt64(nint statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_double")]
    public static partial double ColumnDouble(nint statement, int column);

    /// <summary>UTF-8 owned by SQLite until the next step: copied, never freed here.</summary>
    [LibraryImport(Library, EntryPoint = "sqlite3_column_text")]
    public static partial nint ColumnText(nint statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_bytes")]
    public static partial int ColumnBytes(nint statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_errmsg")]
    public static partial nint ErrorMessage(nint db);

    [LibraryImport(Library, EntryPoint = "sqlite3_errstr")]
    public static partial nint ErrorString(int resultCode);
}
