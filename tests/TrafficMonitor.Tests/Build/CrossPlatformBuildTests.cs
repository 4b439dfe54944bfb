using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Build;

/// <summary>
/// Native AOT cannot compile for another OS, so the Windows and macOS code (the Windows service, sc.exe, launchd) is
/// proven by building for those targets with warnings as errors: the platform-compatibility and AOT analyzers run on
/// the code each target compiles. Framework-dependent (PublishAot=false): the NativeAOT packs for another OS are not
/// needed to compile, and this machine's feed may not serve them.
/// </summary>
public class CrossPlatformBuildTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Build_ForWindowsAndMacOS_SucceedsWithWarningsAsErrors()
    {
        var sources = SourceCopy.Create(_directory);
        var failures = new List<string>();
        foreach (var runtime in new[] { "win-x64", "osx-arm64" })
        {
            var (exitCode, log, error) = Programs.TryRun(
                Programs.LongTimeout, "dotnet", "build", Path.Combine(sources, "src", "TrafficMonitor"), "-r", runtime, "-warnaserror", "-p:PublishAot=false",
                "-o", _directory.Combine("out", runtime));
            if (exitCode != 0)
            {
                failures.Add($"{runtime}:\n{log}\n{error}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        Assert.True(File.Exists(_directory.Combine("out", "win-x64", "traffic-monitor.exe")));
        Assert.True(File.Exists(_directory.Combine("out", "osx-arm64", "traffic-monitor")));
    }
}
