namespace TrafficMonitor.Usage.SystemCounters.Linux;

/// <summary>The few reads the Linux counters need, so that parsing /proc and sysfs is testable with fixed text.</summary>
public interface IFileSystem
{
    /// <summary>The file's text, or null when it does not exist or cannot be read (sysfs answers EINVAL for a down link's speed).</summary>
    string? ReadText(string path);
}

public sealed class OSFileSystem : IFileSystem
{
    public string? ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
