namespace TrafficMonitor.Tests.Components;

/// <summary>
/// A program copied to run on its own, as an installed one does: a file of its own (pages of a file other processes
/// map stay resident for them) and on disk (dpkg syncs what it unpacks; pages still waiting to be written cannot be
/// given back, whatever the program advises).
/// </summary>
public static class InstalledCopy
{
    public static string Make(string program, string destination)
    {
        File.Copy(program, destination);
        File.SetUnixFileMode(destination, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using (var file = new FileStream(destination, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Flush(flushToDisk: true);
        }

        return destination;
    }
}
