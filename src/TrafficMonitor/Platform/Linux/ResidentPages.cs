using System.Globalization;
using System.Runtime.InteropServices;

namespace TrafficMonitor.Platform.Linux;

/// <summary>
/// Start-up touches code and type data all over the native binary (settings, YAML, the service container), and the
/// kernel keeps each touched 64 KiB window mapped: most of a binary the idle loop barely uses. MADV_PAGEOUT hands those
/// clean file pages back (the type data too: the binary is linked at a fixed address, so its type data is read from the
/// file as it is, not rebuilt in anonymous memory); the few the checks need fault in again at the next check and stay
/// (laid out side by side: method-order.txt). Only for the native binary (under the JIT the process is <c>dotnet</c>,
/// whose pages are not ours to judge). Best effort: a kernel before 5.4 refuses the advice and nothing changes.
/// </summary>
internal static partial class ResidentPages
{
    private const int MadvRandom = 1;
    private const int MadvPageout = 21;

    public static void ReleaseExecutable()
    {
        if (!ProcessEnvironment.IsNativeCode || Environment.ProcessPath is not { } binary)
        {
            return;
        }

        try
        {
            foreach (var (start, length) in Mappings(File.ReadAllText("/proc/self/maps"), binary))
            {
                // Random access from now on: a page a check needs comes back alone, without the read-ahead window
                // that would map its neighbours too.
                _ = Madvise(start, length, MadvRandom);
                _ = Madvise(start, length, MadvPageout);
            }
        }
        catch (IOException)
        {
            // No /proc (a bare chroot): nothing to give back.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// The mappings of <paramref name="file"/> (code, constants, type data) in a /proc/PID/maps text. Pages of the
    /// writable one that were written are anonymous now, and the advice leaves them be (unless there is swap).
    /// </summary>
    internal static IEnumerable<(nint Start, nuint Length)> Mappings(string maps, string file)
    {
        foreach (var line in maps.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // 55c90706e000-55c90768c000 r-xp 00013000 fe:00 11681969      /usr/bin/traffic-monitor
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 6 && fields[5].Trim() == file)
            {
                var range = fields[0].Split('-');
                var start = long.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                var end = long.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                yield return ((nint)start, (nuint)(end - start));
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int Madvise(nint address, nuint length, int advice);
}
