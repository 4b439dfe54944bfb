using System.Diagnostics;
using System.Globalization;
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
    public void NativeBinary_AtRest_GivesStartUpMemoryBackAndKeepsOnlyTheChecksCodeResident()
    {
        // Not the binary the other tests run: pages they map stay resident whatever this daemon advises.
        var own = InstalledCopy.Make(binary.Path, _directory.Combine("traffic-monitor"));

        var state = _directory.Combine("state");
        var config = _directory.Write("settings.yaml", TestSettings.Yaml(
            state, shutdownCommand: _shutdown.YamlCommand, monitor: "provider: system\ncheck_interval: 1s\ncheckpoint_interval: 1s"));
        using var daemon = StartDaemon(own, config);
        try
        {
            var clock = Stopwatch.StartNew();
            while (!File.Exists(Path.Combine(state, "ledger.json")) && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                Thread.Sleep(50);
            }

            // The first check is done and what start-up alone needed given back; three more checks fault back in the
            // code they run, which the build lays out side by side (method-order.txt): a few 64 KiB windows, where the
            // compiler's own layout spread it over ~70 (4.5 MiB resident). docs/benchmarks.md has the figures at rest.
            Thread.Sleep(TimeSpan.FromSeconds(3.5));
            var (total, code) = Resident(daemon.Id, own);

            Assert.True(total <= 9 * 1024, $"RSS {total} KiB after four checks (about 6.5 MiB expected): start-up memory was not given back");
            Assert.True(code <= 2 * 1024, $"{code} KiB of the binary's code resident after four checks (about 0.9 MiB expected): is method-order.txt out of date? (eng/method-order.sh)");
        }
        finally
        {
            daemon.Kill();
            daemon.WaitForExit(5000);
        }
    }

    /// <summary>
    /// Delivering a message runs code no quiet check runs (HTTP, the message's JSON), faulted in 64 KiB at a time, and
    /// allocates a megabyte or so: left resident, that is 14.5 MiB where a quiet daemon rests in 7. The daemon gives it
    /// back at the next check (MemoryRelease).
    /// </summary>
    [Fact]
    public void NativeBinary_AfterDeliveringAMessage_GivesTheMemoryBack()
    {
        var own = InstalledCopy.Make(binary.Path, _directory.Combine("traffic-monitor"));
        // Delivered after the first check's release (which gave start-up's memory back): asked to come back in a second.
        using var hook = new WebhookServer().Answer(Reply.TooManyRequests("1"));
        // Any machine has moved a few megabytes since it booted: the first check passes the stage and the critical point.
        var config = _directory.Write("settings.yaml", TestSettings.Yaml(
            _directory.Combine("state"), totalLimit: "\"2 MB\"", interval: "\"1 MB\"", shutdownCommand: _shutdown.YamlCommand,
            monitor: "provider: system\ncheck_interval: 1s\ncheckpoint_interval: 1s", extra: $"webhooks:\n  - url: \"{hook.Url()}\""));
        using var daemon = StartDaemon(own, config);
        try
        {
            Assert.True(hook.WaitForRequests(2, TimeSpan.FromSeconds(30)).Count >= 2, "the message was not delivered on its second attempt");
            Thread.Sleep(TimeSpan.FromSeconds(3.5));
            var (total, code) = Resident(daemon.Id, own);

            Assert.True(code <= 3 * 1024, $"{code} KiB of the binary's code resident three checks after delivering a message (about 2 MiB expected, 4.5 without the release)");
            Assert.True(total <= 13 * 1024 + 512, $"RSS {total} KiB three checks after delivering a message (about 11 MiB expected, OpenSSL's code included; 14.5 without the release)");
        }
        finally
        {
            daemon.Kill();
            daemon.WaitForExit(5000);
        }
    }

    /// <summary>The monitor run as a daemon, its log read and dropped.</summary>
    private static Process StartDaemon(string binary, string config)
    {
        var start = new ProcessStartInfo(binary) { ArgumentList = { "--config", config, "run" }, RedirectStandardError = true, UseShellExecute = false };
        var daemon = Process.Start(start)!;
        daemon.ErrorDataReceived += (_, _) => { };
        daemon.BeginErrorReadLine();
        return daemon;
    }

    /// <summary>The process's resident KiB, and of those the ones of <paramref name="binary"/>'s code (/proc/PID/smaps).</summary>
    private static (long Total, long Code) Resident(int pid, string binary)
    {
        long total = 0, code = 0;
        var inCode = false;
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields[0].Contains('-', StringComparison.Ordinal) && !fields[0].EndsWith(':'))
            {
                inCode = fields.Length == 6 && fields[1] == "r-xp" && fields[5] == binary;
            }
            else if (fields[0] == "Rss:")
            {
                var kib = long.Parse(fields[1], CultureInfo.InvariantCulture);
                total += kib;
                code += inCode ? kib : 0;
            }
        }

        return (total, code);
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
