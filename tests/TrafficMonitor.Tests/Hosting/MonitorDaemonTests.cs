using Microsoft.Extensions.Logging.Abstractions;
using TrafficMonitor.Configuration;
using TrafficMonitor.Hosting;
using TrafficMonitor.Monitoring;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Hosting;

public sealed class MonitorDaemonTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private TrafficMonitorSettings Load(string stateDir, string totalLimit = "\"100 GB\"")
    {
        var path = _directory.Write("settings.yaml", TestSettings.Yaml(stateDir, totalLimit: totalLimit));
        return ConfigLoader.Load(path, stateDir, _ => null);
    }

    private static MonitorDaemon Daemon(TrafficMonitorSettings settings, Func<string, TrafficMonitorSettings> load) =>
        new(settings, RunMode.ReadOnly, _ => throw new InvalidOperationException("no host in this test"), load, NullLogger.Instance);

    [Fact]
    public void ChangedSections_NamesOnlyTheSectionsThatDiffer()
    {
        var before = Load(_directory.Combine("state"));
        var after = Load(_directory.Combine("state"), totalLimit: "\"200 GB\"");

        Assert.Equal(["thresholds"], MonitorDaemon.ChangedSections(before, after));
        Assert.Empty(MonitorDaemon.ChangedSections(before, before));
    }

    [Fact]
    public void TryLoad_StateDirectoryMoved_KeepsTheRunningSettings()
    {
        var running = Load(_directory.Combine("state"));
        var moved = Load(_directory.Combine("elsewhere"));

        Assert.Null(Daemon(running, _ => moved).TryLoad(running));
    }

    [Fact]
    public void TryLoad_InvalidFile_KeepsTheRunningSettings()
    {
        var running = Load(_directory.Combine("state"));

        Assert.Null(Daemon(running, path => throw new ConfigException(path, [new ConfigProblem("thresholds.total_limit", "must be more than zero")])).TryLoad(running));
    }

    [Fact]
    public void TryLoad_ValidFile_ReturnsIt()
    {
        var running = Load(_directory.Combine("state"));
        var next = Load(_directory.Combine("state"), totalLimit: "\"200 GB\"");

        Assert.Same(next, Daemon(running, _ => next).TryLoad(running));
    }
}
