using System.Security.Cryptography;
using System.Text;

namespace TrafficMonitor.Tests.Components;

/// <summary>
/// A disposable minimal Debian bookworm root made with mmdebstrap (about 20 s from the mirror, 45 s with systemd),
/// where packages are installed and removed: never the host's own /usr and /etc. Commands run chrooted in a private
/// mount namespace with its own /proc, so nothing is left mounted on the host when they end.
/// </summary>
/// <remarks>
/// mmdebstrap's result is kept as a tarball per package list (under the temp directory, for a week) and each root is
/// extracted from it in about a second: every test still gets a root no test has touched.
/// </remarks>
public sealed class DebianRoot : IDisposable
{
    /// <summary>The mirror the host's apt uses (/etc/apt/sources.list.d/debian.sources).</summary>
    public const string Mirror = "http://deb.debian.org/debian";

    private static readonly TimeSpan CacheAge = TimeSpan.FromDays(7);

    private readonly TempDirectory _directory = new();

    public DebianRoot(params string[] include)
    {
        Path = _directory.Combine("root");
        Directory.CreateDirectory(Path);
        Programs.Run("tar", "--numeric-owner", "-xpf", Tarball(include), "-C", Path);
    }

    public string Path { get; }

    /// <summary>A path inside the root, given as the root sees it ("/etc/...").</summary>
    public string Host(string path) => System.IO.Path.Combine(Path, path.TrimStart('/'));

    /// <summary>Whether a symbolic link is there (its target is a path inside the root, so it is not followed here).</summary>
    public bool HasLink(string path) => new FileInfo(Host(path)).LinkTarget is not null;

    public (int ExitCode, string Output, string Error) Run(params string[] command) =>
        Programs.TryRun("unshare", ["--mount", "--fork", "sh", "-c", "mount -t proc proc \"$0/proc\" && exec chroot \"$0\" \"$@\"", Path, .. command]);

    /// <summary>Copies a file into the root's /var/tmp (a booted root mounts a tmpfs on /tmp) and returns its path as the root sees it.</summary>
    public string CopyIn(string file)
    {
        var inside = "/var/tmp/" + System.IO.Path.GetFileName(file);
        File.Copy(file, Host(inside), overwrite: true);
        return inside;
    }

    public void Dispose() => _directory.Dispose();

    private static string Tarball(string[] include)
    {
        var packages = string.Join(',', include.Order(StringComparer.Ordinal).Distinct());
        var cache = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "traffic-monitor-test-cache");
        var tarball = System.IO.Path.Combine(cache, $"bookworm-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(packages)))[..16]}.tar");
        if (!File.Exists(tarball) || TimeProvider.System.GetUtcNow() - File.GetLastWriteTimeUtc(tarball) > CacheAge)
        {
            Directory.CreateDirectory(cache);
            // Made aside and renamed into place, so that a test running beside this one never extracts half a root.
            var partial = $"{tarball}.{Guid.NewGuid():N}";
            try
            {
                Programs.Run(Programs.LongTimeout, "mmdebstrap", "--quiet", "--variant=minbase", "--format=tar", $"--include={packages}", "bookworm", partial, $"deb {Mirror} bookworm main");
                File.Move(partial, tarball, overwrite: true);
            }
            finally
            {
                File.Delete(partial);
            }
        }

        return tarball;
    }
}
