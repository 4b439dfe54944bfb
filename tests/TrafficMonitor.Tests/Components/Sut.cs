using Microsoft.Extensions.Logging.Abstractions;
using TrafficMonitor.Configuration;
using TrafficMonitor.Platform;
using TrafficMonitor.Usage.VnStat;

namespace TrafficMonitor.Tests.Components;

/// <summary>Builds the objects under test against real components, with defaults a test can override.</summary>
public static class Sut
{
    public static VnStatUsageSource VnStatSource(
        VnStatDatabase database, TimeProvider? time = null, IReadOnlyList<string>? interfaces = null, string? command = null, Microsoft.Extensions.Logging.ILogger<VnStatUsageSource>? logger = null) =>
        new(
            new VnStatOptions { Config = database.ConfigFile, Command = command ?? VnStatOptions.DefaultCommand },
            new MonitorOptions { StateDir = "/nonexistent", Interfaces = interfaces ?? [] },
            new ProcessRunner(),
            time ?? TimeProvider.System,
            logger ?? NullLogger<VnStatUsageSource>.Instance,
            HostPlatform.Linux);

    /// <summary>A script that prints <paramref name="output"/> and exits with <paramref name="exitCode"/>: a stand-in for a broken vnStat.</summary>
    public static string Script(TempDirectory directory, string name, string output, int exitCode = 0)
    {
        var file = directory.Write(name + ".out", output);
        var script = directory.Write(name, $"#!/bin/sh\ncat '{file}'\nexit {exitCode}\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return script;
    }
}
