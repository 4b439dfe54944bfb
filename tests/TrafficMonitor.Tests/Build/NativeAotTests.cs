using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Build;

/// <summary>
/// <c>dotnet publish -c Release</c> makes a native binary (PublishAot in the project, the host's RID) without trim or
/// AOT warnings, and that binary does the job: it prints its version, checks settings, and runs a check that reads
/// vnStat and starts the critical action (a recorder).
/// </summary>
[Collection(NativeBinaryGroup.Name)]
public class NativeAotTests(NativeBinary binary) : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly CommandRecorder _shutdown = new();
    private readonly VnStatDatabase _vnstat = new();

    public void Dispose()
    {
        _vnstat.Dispose();
        _shutdown.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public void Publish_InRelease_MakesANativeBinaryWithoutWarnings()
    {
        Assert.True(binary.ExitCode == 0, $"publish failed:\n{binary.PublishLog}");
        Assert.DoesNotContain("warning", binary.PublishLog, StringComparison.OrdinalIgnoreCase);
        Assert.NotEmpty(binary.Path);
        // Native: an ELF executable on its own, no traffic-monitor.dll beside it for a runtime to load.
        Assert.Equal("\u007fELF"u8.ToArray(), File.ReadAllBytes(binary.Path)[..4]);
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(binary.Path)!, "traffic-monitor.dll")));
    }

    [Fact]
    public void NativeBinary_Version_PrintsIt()
    {
        var (exitCode, output, error) = Programs.TryRun(binary.Path, "--version");

        Assert.True(exitCode == 0, error);
        Assert.Matches(@"^\d+\.\d+\.\d+", output);
    }

    [Fact]
    public void NativeBinary_CheckConfig_ValidatesAndPrintsTheSettings()
    {
        var config = _directory.Write("settings.yaml", TestSettings.Yaml(_directory.Combine("state"), _vnstat.ConfigFile, shutdownCommand: _shutdown.YamlCommand));

        var (exitCode, output, error) = Programs.TryRun(binary.Path, "check-config", "--config", config);

        Assert.True(exitCode == 0, error);
        Assert.Contains($"# {config}: valid", output, StringComparison.Ordinal);
        Assert.Contains("total_limit: 100 GB", output, StringComparison.Ordinal);
    }

    [Fact]
    public void NativeBinary_OnceOverTheCriticalPoint_RunsTheActionAndRemembersIt()
    {
        var today = DateOnly.FromDateTime(TimeProvider.System.GetLocalNow().DateTime);
        _vnstat.AddInterface("eth0").SetMonth("eth0", today.Year, today.Month, 60_000_000_000, 40_000_000_000);
        var config = _directory.Write("settings.yaml", TestSettings.Yaml(_directory.Combine("state"), _vnstat.ConfigFile, shutdownCommand: _shutdown.YamlCommand));

        var (exitCode, _, error) = Programs.TryRun(binary.Path, "--once", "--config", config);
        var (statusExit, status, statusError) = Programs.TryRun(binary.Path, "status", "--json", "--config", config);

        Assert.True(exitCode == 0, error);
        Assert.Equal(["-h +1"], _shutdown.Calls);
        Assert.True(statusExit == 0, statusError);
        Assert.Contains("\"ran_this_period\": true", status, StringComparison.Ordinal);
    }
}
