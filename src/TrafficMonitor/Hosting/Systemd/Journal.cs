using System.Globalization;
using System.Runtime.InteropServices;

namespace TrafficMonitor.Hosting.Systemd;

/// <summary>
/// Whether stderr is connected to the systemd journal: <c>$JOURNAL_STREAM</c> holds the device and inode
/// (<c>dev:ino</c>) of the stream systemd connected, and it counts only when stderr is that very stream (a child
/// whose stderr was redirected keeps the variable but not the journal).
/// </summary>
public static partial class Journal
{
    public const string StreamVariable = "JOURNAL_STREAM";

    private static readonly Lazy<bool> StderrIsJournalLazy = new(() =>
        Parse(Environment.GetEnvironmentVariable(StreamVariable)) is { } stream && StandardErrorIdentity() is { } stderr && stream == stderr);

    /// <summary>Decided once per process, for every logger the program builds.</summary>
    public static bool StderrIsJournal => StderrIsJournalLazy.Value;

    /// <summary>The device and inode in <c>$JOURNAL_STREAM</c>; null when unset or malformed.</summary>
    internal static (ulong Device, ulong Inode)? Parse(string? value)
    {
        var colon = value?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        return colon > 0
            && ulong.TryParse(value.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var device)
            && ulong.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var inode)
            ? (device, inode)
            : null;
    }

    /// <summary>fstat(2) of file descriptor 2: the device and inode, the first two fields of struct stat on 64-bit Linux.</summary>
    private static (ulong Device, ulong Inode)? StandardErrorIdentity()
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess)
        {
            return null;
        }

        // Larger than struct stat on x86_64 (144 bytes) and on the generic 64-bit layout (arm64, 128 bytes).
        Span<ulong> stat = stackalloc ulong[32];
        try
        {
            return Fstat(2, ref MemoryMarshal.GetReference(stat)) == 0 ? (stat[0], stat[1]) : null;
        }
        catch (EntryPointNotFoundException)
        {
            // glibc before 2.33 exports only __fxstat: no journal format, plain lines still reach the journal.
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "fstat")]
    private static partial int Fstat(int fd, ref ulong stat);
}
