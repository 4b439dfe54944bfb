namespace TrafficMonitor.Tests.Components;

/// <summary>A clean copy of the program's sources in a test's directory, so a build there neither sees nor disturbs the one the tests run from.</summary>
public static class SourceCopy
{
    public static string RepositoryRoot()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "TrafficMonitor.slnx")))
        {
            root = Path.GetDirectoryName(root)!;
        }

        return root;
    }

    /// <summary>Copies the build files and src/TrafficMonitor (without bin and obj); returns the copy's root.</summary>
    public static string Create(TempDirectory directory)
    {
        var root = RepositoryRoot();
        var sources = directory.Combine("src");
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json", ".editorconfig", "eng/BannedSymbols.txt" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(sources, file))!);
            File.Copy(Path.Combine(root, file), Path.Combine(sources, file));
        }

        CopyTree(Path.Combine(root, "src", "TrafficMonitor"), Path.Combine(sources, "src", "TrafficMonitor"));
        return sources;
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var directory in Directory.GetDirectories(from).Where(d => Path.GetFileName(d) is not ("bin" or "obj")))
        {
            CopyTree(directory, Path.Combine(to, Path.GetFileName(directory)));
        }
    }
}
