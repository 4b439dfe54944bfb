using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Build;

/// <summary>
/// The native binary exactly as a user makes it: <c>dotnet publish -c Release</c>, no other flags, on a clean copy
/// of the sources (so the publish neither sees nor disturbs the build the tests run from). Published once and shared
/// by the tests of the <see cref="NativeBinaryGroup"/>.
/// </summary>
public sealed class NativeBinary : IDisposable
{
    private readonly TempDirectory _directory = new();

    public NativeBinary()
    {
        RepositoryRoot = AppContext.BaseDirectory;
        while (!File.Exists(System.IO.Path.Combine(RepositoryRoot, "TrafficMonitor.slnx")))
        {
            RepositoryRoot = System.IO.Path.GetDirectoryName(RepositoryRoot)!;
        }

        var sources = _directory.Combine("src");
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json", ".editorconfig", "eng/BannedSymbols.txt" })
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.Combine(sources, file))!);
            File.Copy(System.IO.Path.Combine(RepositoryRoot, file), System.IO.Path.Combine(sources, file));
        }

        CopyTree(System.IO.Path.Combine(RepositoryRoot, "src", "TrafficMonitor"), System.IO.Path.Combine(sources, "src", "TrafficMonitor"));
        var project = System.IO.Path.Combine(sources, "src", "TrafficMonitor");
        (ExitCode, PublishLog, var error) = Programs.TryRun(Programs.LongTimeout, "dotnet", "publish", project, "-c", "Release");
        PublishLog += error;
        Path = Directory.GetFiles(System.IO.Path.Combine(project, "bin", "Release"), "traffic-monitor", SearchOption.AllDirectories)
            .SingleOrDefault(f => System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(f)) == "publish") ?? string.Empty;
    }

    public string RepositoryRoot { get; }

    public int ExitCode { get; }

    public string PublishLog { get; }

    /// <summary>The published <c>traffic-monitor</c>, or empty when the publish made none.</summary>
    public string Path { get; }

    public void Dispose() => _directory.Dispose();

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, System.IO.Path.Combine(to, System.IO.Path.GetFileName(file)));
        }

        foreach (var directory in Directory.GetDirectories(from).Where(d => System.IO.Path.GetFileName(d) is not ("bin" or "obj")))
        {
            CopyTree(directory, System.IO.Path.Combine(to, System.IO.Path.GetFileName(directory)));
        }
    }
}

/// <summary>The tests that need the native binary share one publish (about a minute of two cores).</summary>
[CollectionDefinition(Name)]
public sealed class NativeBinaryGroup : ICollectionFixture<NativeBinary>
{
    public const string Name = "native binary";
}
