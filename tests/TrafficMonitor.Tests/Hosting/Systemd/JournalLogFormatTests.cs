using TrafficMonitor.Hosting.Systemd;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Hosting.Systemd;

/// <summary>
/// Under systemd, stderr is the journal and <c>$JOURNAL_STREAM</c> names it: every log line then carries its syslog
/// priority and no timestamp. The real program as a child whose <c>$JOURNAL_STREAM</c> is its own stderr's dev:ino,
/// as systemd sets it.
/// </summary>
public sealed class JournalLogFormatTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly VnStatDatabase _vnstat = new();

    public JournalLogFormatTests() => _vnstat.AddInterface("eth0");

    public void Dispose()
    {
        _vnstat.Dispose();
        _directory.Dispose();
    }

    /// <summary>Runs the program with JOURNAL_STREAM set by a shell to its stderr's device and inode (or to <paramref name="journalStream"/>).</summary>
    private string RunWithJournal(string? journalStream, params string[] arguments) =>
        CliRunner.Run(arguments, _directory.Path, timeout: TimeSpan.FromSeconds(60),
            shellSetup: $"JOURNAL_STREAM={journalStream ?? "$(stat -L -c %d:%i /proc/self/fd/2)"}").Error;

    private string Config() =>
        _directory.Write("settings.yaml", TestSettings.Yaml(_directory.Combine("state"), _vnstat.ConfigFile));

    [Fact]
    public void Run_StderrIsTheJournal_EveryLineHasAPriorityAndNoTimestamp()
    {
        var log = RunWithJournal(null, "--once", "--dry-run", "--config", Config());

        var lines = log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.Matches("^<[0-7]>", line));
        Assert.DoesNotMatch(@"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", log);
        // The start-up logger (settings loaded, dry run) and the check's own (usage) both speak the journal's format.
        Assert.Contains("<6>TrafficMonitor[50] Loaded settings from", log, StringComparison.Ordinal);
        Assert.Contains("<4>TrafficMonitor[52] Dry run", log, StringComparison.Ordinal);
        Assert.Matches(@"<6>TrafficMonitor\.Monitoring\.QuotaCheck\[2\] Used 0 B", log);
    }

    [Fact]
    public void Run_InvalidSettingsWithStderrTheJournal_ErrorLinesHaveErrorPriority()
    {
        var log = RunWithJournal(null, "--once", "--config", _directory.Write("bad.yaml", "thresholds:\n  total_limit: lots\n"));

        Assert.StartsWith("<3>traffic-monitor: invalid configuration", log, StringComparison.Ordinal);
        Assert.All(log.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.StartsWith("<3>", line, StringComparison.Ordinal));
    }

    [Fact]
    public void Run_JournalStreamOfAnotherStream_KeepsTimestampedLines()
    {
        // A child of a service whose stderr was redirected inherits the variable, not the journal.
        var log = RunWithJournal("1:1", "--once", "--dry-run", "--config", Config());

        Assert.DoesNotContain("<6>", log, StringComparison.Ordinal);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} info: TrafficMonitor\[50\] Loaded settings", log);
    }

    [Theory]
    [InlineData("8:12345", 8UL, 12345UL)]
    [InlineData("0:1", 0UL, 1UL)]
    public void Parse_DeviceAndInode(string value, ulong device, ulong inode) =>
        Assert.Equal((device, inode), Journal.Parse(value));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("8")]
    [InlineData(":1")]
    [InlineData("8:")]
    [InlineData("-1:2")]
    [InlineData("a:b")]
    public void Parse_Malformed_IsNull(string? value) => Assert.Null(Journal.Parse(value));
}
