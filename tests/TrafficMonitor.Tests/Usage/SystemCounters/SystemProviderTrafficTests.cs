using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using TrafficMonitor.Configuration;
using TrafficMonitor.Monitoring;
using TrafficMonitor.Platform;
using TrafficMonitor.Quota;
using TrafficMonitor.Tests.Components;
using TrafficMonitor.Usage.SystemCounters;
using TrafficMonitor.Usage.SystemCounters.Linux;

namespace TrafficMonitor.Tests.Usage.SystemCounters;

/// <summary>The system provider against real traffic through a veth pair in network namespaces the test creates.</summary>
public sealed class SystemProviderTrafficTests : IDisposable
{
    private const long MiB = 1024 * 1024;
    private readonly NetworkNamespacePair _net = new();
    private readonly TempDirectory _dir = new();
    private readonly string _config;

    public SystemProviderTrafficTests()
    {
        _config = _dir.Write("settings.yaml", TestSettings.Yaml(
            _dir.Combine("state"),
            monitor: $"provider: system\ninterfaces: [{_net.InterfaceA}]\ncheck_interval: 1s"));
    }

    public void Dispose()
    {
        _net.Dispose();
        _dir.Dispose();
    }

    private CliResult Cli(params string[] arguments) =>
        CliRunner.Run(["--config", _config, .. arguments], networkNamespace: _net.NamespaceA);

    private (long Rx, long Tx, long Counted) Status()
    {
        var result = Cli("status", "--json");
        Assert.True(result.ExitCode == 0, result.Error + result.Output);
        using var json = JsonDocument.Parse(result.Output);
        var root = json.RootElement;
        return (root.GetProperty("rx_bytes").GetInt64(), root.GetProperty("tx_bytes").GetInt64(), root.GetProperty("counted_bytes").GetInt64());
    }

    [Fact]
    public void Status_AfterRealTraffic_CountsExactlyWhatTheKernelCounted()
    {
        Assert.Equal((0, 0), _net.CountersA);
        Assert.Equal(0, Cli("--once").ExitCode);

        _net.Send(200 * MiB);
        Assert.Equal(0, Cli("--once").ExitCode);
        var (rx, tx, counted) = Status();

        var kernel = _net.CountersA;
        Assert.True(kernel.Tx > 190 * MiB, $"{kernel}");
        Assert.Equal(kernel, (rx, tx));
        Assert.Equal(kernel.Rx + kernel.Tx, counted);
    }

    [Fact]
    public void Run_KilledWithSignal9WhileTrafficFlowsThenRestarted_LosesNothing()
    {
        Assert.Equal(0, Cli("--once").ExitCode);
        using var sending = _net.StartSending(seconds: 4);
        Thread.Sleep(1000);
        using (var monitor = CliRunner.Start(["--config", _config, "run"], networkNamespace: _net.NamespaceA))
        {
            Thread.Sleep(1500);
            monitor.Kill();
            monitor.WaitForExit(5000);
        }

        using (var again = CliRunner.Start(["--config", _config, "run"], networkNamespace: _net.NamespaceA))
        {
            Assert.True(sending.WaitForExit(15_000));
            _net.WaitForQuiet();
            Thread.Sleep(1500);
            again.Kill();
            again.WaitForExit(5000);
        }

        // Killed again: a check that finds no new traffic in the kernel must find every byte in the ledger.
        Assert.Equal(0, Cli("--once").ExitCode);
        var kernel = _net.CountersA;
        Assert.True(kernel.Tx > 500 * MiB, $"only {kernel.Tx} bytes were sent");
        Assert.Equal(kernel, Ledger());
        Assert.Equal(kernel, (Status().Rx, Status().Tx));
    }

    [Fact]
    public void Run_StoppedWithSigterm_WritesEverythingCountedToTheLedger()
    {
        using var monitor = CliRunner.Start(["--config", _config, "run"], networkNamespace: _net.NamespaceA);
        var ledger = _dir.Combine("state", LedgerStore.FileName);
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(ledger) && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            Thread.Sleep(20);
        }

        var before = Ledger();
        var kernelBefore = _net.CountersA;
        _net.Send(50 * MiB);
        Thread.Sleep(1500);
        Programs.Run("kill", "-TERM", monitor.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(monitor.WaitForExit(30_000));

        // Checkpoints are a minute apart: only the write on stopping can have put this traffic in the ledger.
        var kernel = _net.CountersA;
        Assert.Equal((kernel.Rx - kernelBefore.Rx + before.Rx, kernel.Tx - kernelBefore.Tx + before.Tx), Ledger());
        Assert.Equal(0, monitor.ExitCode);
    }

    [Fact]
    public void Read_InterfaceDeletedAndRecreated_CountsBothLivesOfIt()
    {
        using var sleeper = _net.StartSleeper();
        var time = TimeProvider.System;
        var monitor = new MonitorOptions { StateDir = _dir.Combine("state"), Interfaces = [_net.InterfaceA] };
        using var source = new SystemUsageSource(
            new LinuxInterfaceCounters(new NamespaceProc(sleeper.Id), time),
            new LedgerStore(monitor.StateDir, time, NullLogger<LedgerStore>.Instance),
            monitor, RunMode.Live, time, NullLogger<SystemUsageSource>.Instance, HostPlatform.Linux);
        var period = BillingPeriod.Containing(time.GetLocalNow(), 1);
        source.Read(period);

        _net.Send(60 * MiB);
        source.Read(period);
        var firstLife = _net.CountersA;
        _net.DeleteLink();
        source.Read(period);
        _net.CreateLink();
        _net.Send(20 * MiB);
        var secondLife = _net.CountersA;
        var reading = source.Read(period);

        Assert.True(secondLife.Tx < firstLife.Tx);
        Assert.Equal(firstLife.Rx + secondLife.Rx, reading.Rx);
        Assert.Equal(firstLife.Tx + secondLife.Tx, reading.Tx);
    }

    [Fact]
    public void Status_LedgerFromAnotherBoot_AddsWhatTheKernelCountedSinceThisBoot()
    {
        var today = DateOnly.FromDateTime(DateTime.SpecifyKind(TimeProvider.System.GetLocalNow().DateTime, DateTimeKind.Unspecified));
        Directory.CreateDirectory(_dir.Combine("state"));
        File.WriteAllText(_dir.Combine("state", LedgerStore.FileName), $$$"""
            {"version":1,"boot_id":"00000000-dead-beef-0000-000000000000","updated_at":"{{{TimeProvider.System.GetUtcNow().AddHours(-1):O}}}",
             "interfaces":{"{{{_net.InterfaceA}}}":{"last_rx":99999999999,"last_tx":99999999999,"days":{"{{{today:yyyy-MM-dd}}}":{"rx":1000000000,"tx":2000000000} } } } }
            """);
        _net.Send(30 * MiB);

        var (rx, tx, _) = Status();

        var kernel = _net.CountersA;
        Assert.Equal(1_000_000_000 + kernel.Rx, rx);
        Assert.Equal(2_000_000_000 + kernel.Tx, tx);
    }

    [Fact]
    public void SetUsage_ThenTraffic_CountsThePanelFigurePlusWhatMovedSince()
    {
        Assert.Equal(0, Cli("--once").ExitCode);
        _net.Send(10 * MiB);

        var set = Cli("set-usage", "5 GB");
        Assert.True(set.ExitCode == 0, set.Error);
        Assert.Equal(5_000_000_000, Status().Counted);

        var before = _net.CountersA;
        _net.Send(10 * MiB);
        var after = _net.CountersA;
        Assert.Equal(5_000_000_000 + (after.Rx - before.Rx) + (after.Tx - before.Tx), Status().Counted);

        Assert.Equal(0, Cli("set-usage", "5 GB", "--rx", "4 GB", "--tx", "1 GB").ExitCode);
        var (rx, tx, counted) = Status();
        Assert.Equal((4_000_000_000, 1_000_000_000, 5_000_000_000), (rx, tx, counted));
    }

    private (long Rx, long Tx) Ledger()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(_dir.Combine("state", LedgerStore.FileName)));
        long rx = 0, tx = 0;
        foreach (var day in json.RootElement.GetProperty("interfaces").GetProperty(_net.InterfaceA).GetProperty("days").EnumerateObject())
        {
            rx += day.Value.GetProperty("rx").GetInt64();
            tx += day.Value.GetProperty("tx").GetInt64();
        }

        return (rx, tx);
    }

    /// <summary>The real /proc, but /proc/net/dev as seen by a process inside the test's namespace.</summary>
    private sealed class NamespaceProc(int pid) : IFileSystem
    {
        private readonly OSFileSystem _os = new();

        public string? ReadText(string path) =>
            _os.ReadText(path == LinuxInterfaceCounters.NetDevPath ? $"/proc/{pid}/net/dev" : path);
    }
}
