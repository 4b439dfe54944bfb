using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Build;

/// <summary>
/// Proves the program stays Native AOT compatible: it publishes with PublishAot (trim and AOT warnings are errors
/// in this repository) and the native binary loads settings and reads vnStat.
/// </summary>
public class NativeAotTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Publish_WithPublishAot_BuildsAWorkingNativeBinary()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "TrafficMonitor.slnx")))
        {
            root = Path.GetDirectoryName(root)!;
        }

        // A clean copy of the sources, so the publish neither sees nor disturbs the build the tests run from.
        var sources = _directory.Combine("src");
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json", ".editorconfig", "eng/BannedSymbols.txt" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(sources, file))!);
            File.Copy(Path.Combine(root, file), Path.Combine(sources, file));
        }

        CopyTree(Path.Combine(root, "src", "TrafficMonitor"), Path.Combine(sources, "src", "TrafficMonitor"));
        var output = _directory.Combine("out");
        var (exitCode, log, error) = Programs.TryRun("dotnet", "publish", Path.Combine(sources, "src", "TrafficMonitor"), "-c", "Release", "-r", "linux-x64",
            "-p:PublishAot=true", "-o", output);
        Assert.True(exitCode == 0, $"publish failed:\n{log}\n{error}");
        Assert.DoesNotContain("warning IL", log, StringComparison.Ordinal);

        using var vnstat = new VnStatDatabase();
        vnstat.AddInterface("eth0");
        var config = _directory.Write("settings.yaml", TestSettings.Yaml(_directory.Combine("state"), vnstat.ConfigFile));
        var (statusExit, status, statusError) = Programs.TryRun(Path.Combine(output, "traffic-monitor"), "status", "--json", "--config", config);
        Assert.True(statusExit == 0, statusError);
        Assert.Contains("\"counted_bytes\": 0", status, StringComparison.Ordinal);
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
