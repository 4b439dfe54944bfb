namespace TrafficMonitor.State;

/// <summary>
/// The state directory holds message text, delivery errors and the action record: its files are created 0600 and the
/// directories it creates 0700, whatever the umask (the mode is set on the open file and the new directory, not left to
/// creation). A directory that already exists keeps its mode: monitor.state_dir may be one the admin made.
/// </summary>
public static class PrivateFiles
{
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates <paramref name="path"/> (and any missing parent) 0700; an existing directory is left as it is.</summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows() || Directory.Exists(path))
        {
            Directory.CreateDirectory(path);
            return;
        }

        var missing = new List<string>();
        for (var directory = Path.GetFullPath(path); !Directory.Exists(directory); directory = Path.GetDirectoryName(directory)!)
        {
            missing.Add(directory);
        }

        Directory.CreateDirectory(path, DirectoryMode);
        foreach (var directory in missing)
        {
            File.SetUnixFileMode(directory, DirectoryMode);
        }
    }

    /// <summary>Opens <paramref name="path"/> with <paramref name="mode"/>; a file it creates is 0600.</summary>
    public static FileStream Open(string path, System.IO.FileMode mode, FileAccess access, FileShare share)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share };
        if (OperatingSystem.IsWindows() || mode is System.IO.FileMode.Open or System.IO.FileMode.Truncate)
        {
            return new FileStream(path, options);
        }

        options.UnixCreateMode = FileMode;
        var existed = mode != System.IO.FileMode.CreateNew && File.Exists(path);
        var stream = new FileStream(path, options);
        if (!existed && access.HasFlag(FileAccess.Write))
        {
            // open(2) applied the umask to 0600; a umask that takes the owner's bits must not leave it unreadable.
            File.SetUnixFileMode(stream.SafeFileHandle, FileMode);
        }

        return stream;
    }
}
