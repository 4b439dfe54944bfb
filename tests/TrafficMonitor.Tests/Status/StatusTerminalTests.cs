using System.Globalization;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Status;

/// <summary>
/// The real program in a real terminal (tmux, on a server of its own): colour and Unicode there, plain ASCII with
/// NO_COLOR. The pane's content is read back with capture-pane, escape codes included.
/// </summary>
public sealed class StatusTerminalTests : IDisposable
{
    private const long GB = 1_000_000_000;
    private readonly TempDirectory _directory = new();
    private readonly VnStatDatabase _vnstat = new();

    private readonly string _socket;

    public StatusTerminalTests()
    {
        // The server's socket lives in the test's directory, so nothing is left behind in /tmp/tmux-*.
        _socket = _directory.Combine("tmux.sock");
        // The child process reads the real clock, so the data is for today.
        var now = TimeProvider.System.GetLocalNow().DateTime;
        _vnstat.AddInterface("tmtest0")
            .SetMonth("tmtest0", now.Year, now.Month, 30 * GB, 5 * GB)
            .SetDay("tmtest0", DateOnly.FromDateTime(now), 3 * GB, GB)
            .SetUpdated("tmtest0", now);
    }

    public void Dispose()
    {
        Programs.TryRun("tmux", "-S", _socket, "kill-server");
        _vnstat.Dispose();
        _directory.Dispose();
    }

    private string Screen(string environment)
    {
        var config = _directory.Write("settings.yaml", TestSettings.Yaml(_directory.Combine("state"), _vnstat.ConfigFile, monitor: "interfaces: [tmtest0]"));
        var done = _directory.Combine("done");
        var command = $"{environment} dotnet '{CliRunner.ProgramPath}' status --config '{config}' 2>/dev/null; touch '{done}'; sleep 60";
        Programs.Run("tmux", "-S", _socket, "-f", "/dev/null", "new-session", "-d", "-x", "110", "-y", "60", "env", "TERM=xterm-256color", "sh", "-c", command);
        for (var waited = 0; !File.Exists(done) && waited < 300; waited++)
        {
            Thread.Sleep(100);
        }

        Assert.True(File.Exists(done), "status did not finish in 30 s");
        return Programs.Run("tmux", "-S", _socket, "capture-pane", "-p", "-e", "-J", "-S", "0", "-E", "59");
    }

    [Fact]
    public void Status_OnATerminal_DrawsInColourAndUnicode()
    {
        var screen = Screen(string.Empty);

        Assert.Contains("\u001b[", screen, StringComparison.Ordinal);
        Assert.Contains("█", screen, StringComparison.Ordinal);
        Assert.Contains("▲ critical point 90 GB", screen, StringComparison.Ordinal);
        Assert.Contains("Monitor:", screen, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_OnATerminalWithNoColor_IsPlainAscii()
    {
        var screen = Screen("NO_COLOR=1");

        Assert.DoesNotContain("\u001b[", screen, StringComparison.Ordinal);
        Assert.Contains("^ critical point 90 GB", screen, StringComparison.Ordinal);
        Assert.All(screen, c => Assert.True(c < 128, string.Create(CultureInfo.InvariantCulture, $"'{c}' (U+{(int)c:X4}) is not ASCII")));
    }
}
