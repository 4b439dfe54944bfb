using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Microsoft.Extensions.Logging;
using TrafficMonitor.Hosting;

namespace TrafficMonitor.State;

/// <summary>Who holds a state directory's lock, as far as its lock file tells.</summary>
/// <param name="Pid">The holder's process id; null when the file does not name a live process.</param>
/// <param name="Command">What the holder runs (<c>run</c> or <c>once</c>); null when unknown.</param>
/// <param name="LockPath">The lock file that is held.</param>
public sealed record LockHolder(int? Pid, string? Command, string LockPath)
{
    public override string ToString() =>
        $"{(Command is null ? "another traffic-monitor" : $"'traffic-monitor {Command}'")} ({(Pid is { } pid ? $"PID {pid}" : "PID unknown")}, lock {LockPath})";
}

/// <summary>
/// One writer per state directory: an exclusive OS lock (<c>flock</c> on Linux, through <see cref="FileShare.None"/>) on
/// <c>lock</c> in the state directory, with the owner's PID and command written in it. The kernel drops the lock when
/// its owner exits however it exits (SIGKILL, a crash, a power cut), so a stale lock is simply taken over; the file
/// itself is never deleted, because deleting a lock file lets two processes lock two different files of one name.
/// When the state directory cannot hold the file (read-only or full filesystem, or not a directory) the lock is taken
/// on a file named by a hash of the state directory's full path in a runtime directory instead; an owner of the state
/// directory's own lock also takes that file if it exists, so an owner that had to fall back and one that did not still
/// exclude each other.
/// </summary>
public sealed partial class StateDirectoryLock : IDisposable
{
    public const string FileName = "lock";

    private static int s_fallbackLogged;
    private readonly List<FileStream> _streams;

    private StateDirectoryLock(string path, List<FileStream> streams)
    {
        FilePath = path;
        _streams = streams;
    }

    /// <summary>The lock file this process holds (in the state directory, or the runtime fallback).</summary>
    public string FilePath { get; }

    /// <summary>
    /// Where the lock goes when the state directory cannot hold it, most preferred first: systemd's
    /// <c>$RUNTIME_DIRECTORY</c>, <c>/run/traffic-monitor</c> (when this user can write there), <c>$XDG_RUNTIME_DIR</c>, the temp directory.
    /// </summary>
    public static IReadOnlyList<string> DefaultRuntimeDirectories(Func<string, string?> getEnvironment)
    {
        var directories = new List<string>();
        if (getEnvironment(RuntimeDirectory.EnvironmentVariable) is { Length: > 0 } given)
        {
            directories.Add(RuntimeDirectory.Root(getEnvironment));
        }

        if (!OperatingSystem.IsWindows())
        {
            directories.Add("/run/traffic-monitor");
        }

        if (getEnvironment("XDG_RUNTIME_DIR") is { Length: > 0 } xdg && Path.IsPathFullyQualified(xdg))
        {
            directories.Add(xdg);
        }

        directories.Add(Path.GetTempPath());
        return directories;
    }

    /// <summary>The lock file's name in a runtime directory: the same for every process that means the same state directory.</summary>
    public static string FallbackFileName(string stateDirectory)
    {
        return $"traffic-monitor-state-{RuntimeDirectory.KeyFor(stateDirectory)}.lock";
    }

    /// <summary>Takes the state directory's lock without waiting.</summary>
    /// <param name="command">What this process runs, written in the lock file for whoever finds it held.</param>
    /// <returns>The lock, or null and who holds it.</returns>
    public static (StateDirectoryLock? Lock, LockHolder? Holder) TryAcquire(
        string stateDirectory, string command, IReadOnlyList<string> runtimeDirectories, ILogger logger)
    {
        var primary = Path.Combine(stateDirectory, FileName);
        var fallbacks = runtimeDirectories.Select(d => Path.Combine(d, FallbackFileName(stateDirectory))).ToList();
        string? reason;
        try
        {
            PrivateFiles.CreateDirectory(stateDirectory);
            reason = null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            reason = e.Message;
        }

        if (reason is null)
        {
            var opened = Open(primary, command, out reason);
            if (opened.Stream is { } stream)
            {
                // Someone who could not use the state directory may hold the fallback: it owns the directory all the same.
                var held = new List<FileStream> { stream };
                foreach (var fallback in fallbacks.Where(File.Exists))
                {
                    var other = Open(fallback, command, out _, create: false);
                    if (other.Held)
                    {
                        held.ForEach(s => s.Dispose());
                        return (null, ReadHolder(fallback));
                    }

                    if (other.Stream is not null)
                    {
                        held.Add(other.Stream);
                    }
                }

                return (new StateDirectoryLock(primary, held), null);
            }

            if (opened.Held)
            {
                return (null, ReadHolder(primary));
            }
        }

        foreach (var fallback in fallbacks)
        {
            try
            {
                PrivateFiles.CreateDirectory(Path.GetDirectoryName(fallback)!);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            var opened = Open(fallback, command, out _);
            if (opened.Held)
            {
                return (null, ReadHolder(fallback));
            }

            if (opened.Stream is { } stream)
            {
                if (Interlocked.Exchange(ref s_fallbackLogged, 1) == 0)
                {
                    LogFallback(logger, stateDirectory, reason ?? "unknown", fallback);
                }

                return (new StateDirectoryLock(fallback, [stream]), null);
            }
        }

        // Nowhere can hold a lock: going on unlocked is the lesser harm, as refusing would switch the alert and action off.
        LogUnlocked(logger, stateDirectory, reason ?? "unknown", string.Join(", ", runtimeDirectories));
        return (new StateDirectoryLock(primary, []), null);
    }

    /// <summary>Releases the lock; the file stays (see the class remarks).</summary>
    public void Dispose()
    {
        foreach (var stream in _streams)
        {
            stream.Dispose();
        }

        _streams.Clear();
    }

    /// <summary>Opens and locks <paramref name="path"/>; read-only when it exists but cannot be written (a read-only remount keeps the lock working).</summary>
    private static (FileStream? Stream, bool Held) Open(string path, string command, out string? problem, bool create = true)
    {
        problem = null;
        try
        {
            var stream = PrivateFiles.Open(path, create ? FileMode.OpenOrCreate : FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            WriteOwner(stream, command);
            return (stream, false);
        }
        catch (IOException e) when (IsHeldElsewhere(e))
        {
            return (null, true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = e.Message;
        }

        if (!File.Exists(path))
        {
            return (null, false);
        }

        try
        {
            return (new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None), false);
        }
        catch (IOException e) when (IsHeldElsewhere(e))
        {
            return (null, true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, false);
        }
    }

    private static void WriteOwner(FileStream stream, string command)
    {
        try
        {
            // Truncated first, so a full disk leaves an empty file (PID unknown) rather than the previous owner's PID.
            stream.SetLength(0);
            stream.Write(Encoding.ASCII.GetBytes($"{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}\n{command}\n"));
            stream.Flush(flushToDisk: false);
        }
        catch (IOException)
        {
            // The lock is what matters; only the name of its owner is lost.
        }
    }

    /// <summary>A lock held by another open file: EWOULDBLOCK from flock on Linux (11) and macOS (35), a sharing violation on Windows.</summary>
    private static bool IsHeldElsewhere(IOException e) =>
        OperatingSystem.IsWindows() ? (e.HResult & 0xFFFF) is 32 or 33 : e.HResult == (OperatingSystem.IsLinux() ? 11 : 35);

    /// <summary>
    /// Reads the holder's PID and command. Any read through .NET asks for a shared flock, which the holder's exclusive
    /// lock refuses, so the file is read through a plain open(2).
    /// </summary>
    internal static LockHolder ReadHolder(string path)
    {
        string text;
        try
        {
            text = ReadWithoutLocking(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException)
        {
            return new LockHolder(null, null, path);
        }

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        int? pid = lines.Length > 0 && int.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && IsAlive(p) ? p : null;
        var command = lines.Length > 1 && lines[1] is "run" or "once" ? lines[1] : null;
        return new LockHolder(pid, pid is null ? null : command, path);
    }

    private static bool IsAlive(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            return Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}");
        }

        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static string ReadWithoutLocking(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new IOException("the lock file cannot be read while it is held");
        }

        var fd = NativeOpen(path, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new IOException($"cannot open {path} (errno {Marshal.GetLastPInvokeError().ToString(CultureInfo.InvariantCulture)})");
        }

        using var handle = new SafeFileHandle((IntPtr)fd, ownsHandle: true);
        var buffer = new byte[64];
        var read = RandomAccess.Read(handle, buffer, 0);
        return Encoding.ASCII.GetString(buffer, 0, read);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeOpen(string path, int flags);

    [LoggerMessage(EventId = LogEvents.StateLockFallback, Level = LogLevel.Warning,
        Message = "The state directory {StateDirectory} cannot hold its lock file ({Reason}): holding {LockFile} instead, so still only one process keeps this state")]
    private static partial void LogFallback(ILogger logger, string stateDirectory, string reason, string lockFile);

    [LoggerMessage(EventId = LogEvents.StateUnlocked, Level = LogLevel.Error,
        Message = "Cannot lock the state directory {StateDirectory} ({Reason}) nor a file in {RuntimeDirectories}: going on without the lock, so another traffic-monitor on this state directory could notify and act twice. Make one of them writable")]
    private static partial void LogUnlocked(ILogger logger, string stateDirectory, string reason, string runtimeDirectories);

}
