using TrafficMonitor.Hosting.Systemd;
using TrafficMonitor.Tests.Cli;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Hosting.Systemd;

/// <summary>
/// The daemon speaks sd_notify to whatever listens on <c>$NOTIFY_SOCKET</c>, as systemd does for a Type=notify unit:
/// the real program as a child, a real AF_UNIX datagram socket in the test. The action is a recorder.
/// </summary>
public sealed class SystemdNotifyTests : IDisposable
{
    private const long GB = 1_000_000_000;
    private readonly TempDirectory _directory = new();
    private readonly VnStatDatabase _vnstat = new();
    private readonly CommandRecorder _shutdown = new();
    private readonly DateOnly _today = DateOnly.FromDateTime(TimeProvider.System.GetLocalNow().DateTime);

    public SystemdNotifyTests() => _vnstat.AddInterface("eth0");

    public void Dispose()
    {
        _shutdown.Dispose();
        _vnstat.Dispose();
        _directory.Dispose();
    }

    private string Config(string totalLimit = "\"100 GB\"") =>
        _directory.Write("settings.yaml", TestSettings.Yaml(
            _directory.Combine("state"), _vnstat.ConfigFile, totalLimit: totalLimit, shutdownCommand: _shutdown.YamlCommand, monitor: "check_interval: 1h"));

    [Fact]
    public void Run_UnderAServiceManager_ReadyAfterTheFirstCheck_StatusShowsUsage_ReloadingOnSighup_StoppingOnSigterm()
    {
        using var socket = new NotifySocket();
        _vnstat.SetMonth("eth0", _today.Year, _today.Month, 25 * GB, 0);
        var config = Config();
        using var daemon = new RunningMonitor(
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socket.Variable, ["WATCHDOG_USEC"] = "400000" }, "run", "--config", config);

        var (ready, readyAt) = socket.WaitFor(m => m.Contains("READY=1", StringComparison.Ordinal), context: () => daemon.Log);
        // READY comes with the first check's usage, so it follows that check; nothing came before it.
        Assert.Contains("STATUS=Used 25 GB of 100 GB (25%)", ready, StringComparison.Ordinal);
        Assert.All(socket.Messages.Take(readyAt), m => Assert.Equal("WATCHDOG=1", m));

        Config(totalLimit: "\"200 GB\"");
        daemon.Signal("HUP");
        var (reloading, reloadingAt) = socket.WaitFor(m => m.StartsWith("RELOADING=1\n", StringComparison.Ordinal), after: readyAt, context: () => daemon.Log);
        Assert.Matches(@"^RELOADING=1\nMONOTONIC_USEC=[1-9][0-9]*$", reloading);
        var (readyAgain, readyAgainAt) = socket.WaitFor(m => m.Contains("READY=1", StringComparison.Ordinal), after: reloadingAt, context: () => daemon.Log);
        Assert.Contains("STATUS=Used 25 GB of 200 GB", readyAgain, StringComparison.Ordinal);

        // WATCHDOG_USEC=0.4 s: a ping at least every 0.2 s, before and after the reload.
        socket.WaitFor(m => m == "WATCHDOG=1", after: readyAgainAt, context: () => daemon.Log);
        Assert.True(socket.Messages.Count(m => m == "WATCHDOG=1") >= 2);

        daemon.Signal("TERM");
        Assert.Equal(0, daemon.WaitForExit());
        socket.WaitFor(m => m.StartsWith("STOPPING=1", StringComparison.Ordinal), after: readyAgainAt);
    }

    [Fact]
    public void Run_ReloadWithInvalidSettings_SaysReloadingThenReadyAgainWithTheRunningSettings()
    {
        using var socket = new NotifySocket();
        var config = Config();
        using var daemon = new RunningMonitor(new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socket.Variable }, "run", "--config", config);
        var (_, readyAt) = socket.WaitFor(m => m.Contains("READY=1", StringComparison.Ordinal), context: () => daemon.Log);

        File.WriteAllText(config, "thresholds: [");
        daemon.Signal("HUP");

        var (_, reloadingAt) = socket.WaitFor(m => m.StartsWith("RELOADING=1", StringComparison.Ordinal), after: readyAt, context: () => daemon.Log);
        var (ready, _) = socket.WaitFor(m => m.Contains("READY=1", StringComparison.Ordinal), after: reloadingAt, context: () => daemon.Log);
        Assert.Contains("were not reloaded", ready, StringComparison.Ordinal);
        daemon.Signal("TERM");
        Assert.Equal(0, daemon.WaitForExit());
    }

    [Fact]
    public void Send_ToAnAbstractSocket_Arrives()
    {
        using var socket = new NotifySocket(abstractName: true);
        using var notifier = SystemdNotifier.FromEnvironment(name => name == "NOTIFY_SOCKET" ? socket.Variable : null, Environment.ProcessId);

        notifier.CheckDone("Used 1 GB", first: true);

        Assert.Equal("READY=1\nSTATUS=Used 1 GB", socket.WaitFor(_ => true).Message);
    }

    [Fact]
    public void Send_NobodyListening_WarnsOnceAndGoesOn()
    {
        var logs = new LogRecorder();
        using var notifier = SystemdNotifier.FromEnvironment(
            name => name == "NOTIFY_SOCKET" ? _directory.Combine("nobody-listens") : null, Environment.ProcessId, logs.For<SystemdNotifyTests>());

        Assert.False(notifier.Send("READY=1\nSTATUS=Used 1 GB"));
        Assert.False(notifier.Send("STATUS=Used 2 GB"));

        Assert.Single(logs.Lines, l => l.Contains("did not take READY=1", StringComparison.Ordinal));
        Assert.DoesNotContain("STATUS=Used 2 GB", logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_NoSocket_SendsNothing()
    {
        var notifier = SystemdNotifier.FromEnvironment(_ => null, Environment.ProcessId);

        Assert.False(notifier.Enabled);
        Assert.False(notifier.Send("READY=1"));
    }

    [Theory]
    [InlineData("/run/systemd/notify", "/run/systemd/notify")]
    [InlineData("@/org/freedesktop/systemd1/notify/123", "\0/org/freedesktop/systemd1/notify/123")]
    [InlineData("vsock:2:1234", null)]
    [InlineData("relative/path", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void SocketAddress_PathsAndAbstractNames(string? variable, string? expected) =>
        Assert.Equal(expected, SystemdNotifier.SocketAddress(variable));

    [Theory]
    [InlineData("30000000", null, 15.0)]
    [InlineData("30000000", "4242", 15.0)]
    [InlineData("30000000", "1", null)]
    [InlineData("0", null, null)]
    [InlineData("soon", null, null)]
    [InlineData(null, null, null)]
    public void WatchdogHalf_HalfTheIntervalForThisProcessOnly(string? usec, string? pid, double? seconds) =>
        Assert.Equal(seconds is null ? null : TimeSpan.FromSeconds(seconds.Value), SystemdNotifier.WatchdogHalf(usec, pid, 4242));
}
