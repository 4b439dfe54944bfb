namespace TrafficMonitor.State;

/// <summary>
/// Writes a file so that a crash or power loss leaves either the old or the new content, never a torn one. The file is
/// 0600 (<see cref="PrivateFiles"/>), whatever the umask and whatever mode an older file had.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> content)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        PrivateFiles.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            // A leftover of a crashed process with this PID would keep its own mode: start from a new file.
            File.Delete(temporary);
            using (var stream = PrivateFiles.Open(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
