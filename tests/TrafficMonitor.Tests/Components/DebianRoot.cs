namespace TrafficMonitor.Tests.Components;

/// <summary>
/// A disposable minimal Debian bookworm root made with mmdebstrap (about 20 s from the mirror), where packages are
/// installed and removed: never the host's own /usr and /etc. Commands run chrooted in a private mount namespace
/// with its own /proc, so nothing is left mounted on the host when they end.
/// </summary>
public sealed class DebianRoot : IDisposable
{
    /// <summary>The mirror the host's apt uses (/etc/apt/sources.list.d/debian.sources).</summary>
    public const string Mirror = "http://deb.debian.org/debian";

    private readonly TempDirectory _directory = new();

    public DebianRoot(params string[] include)
    {
        Path = _directory.Combine("root");
        Programs.Run("mmdebstrap", "--quiet", "--variant=minbase", $"--include={string.Join(',', include)}", "bookworm", Path, $"deb {Mirror} bookworm main");
    }

    public string Path { get; }

    /// <summary>A path inside the root, given as the root sees it ("/etc/...").</summary>
    public string Host(string path) => System.IO.Path.Combine(Path, path.TrimStart('/'));

    /// <summary>Whether a symbolic link is there (its target is a path inside the root, so it is not followed here).</summary>
    public bool HasLink(string path) => new FileInfo(Host(path)).LinkTarget is not null;

    public (int ExitCode, string Output, string Error) Run(params string[] command) =>
        Programs.TryRun("unshare", ["--mount", "--fork", "sh", "-c", "mount -t proc proc \"$0/proc\" && exec chroot \"$0\" \"$@\"", Path, .. command]);

    /// <summary>Copies a file into the root's /tmp and returns its path as the root sees it.</summary>
    public string CopyIn(string file)
    {
        var inside = "/tmp/" + System.IO.Path.GetFileName(file);
        File.Copy(file, Host(inside), overwrite: true);
        return inside;
    }

    public void Dispose() => _directory.Dispose();
}
