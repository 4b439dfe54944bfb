using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.State;

/// <summary>
/// The state directory holds message text and delivery errors: 0600 files in a 0700 directory, whatever the umask of
/// the process that made them. The real program as a child under the umask a shell gave it.
/// </summary>
public sealed class StateFileModeTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static void Run(string umask, params string[] arguments)
    {
        var result = CliRunner.Run(arguments, timeout: TimeSpan.FromSeconds(60), shellSetup: $"umask {umask} &&");
        Assert.True(result.ExitCode == 0, result.Error);
    }

    [Theory]
    [InlineData("022")]
    [InlineData("000")]
    public void StateFiles_AreOwnerOnly_WhateverTheUmask(string umask)
    {
        // Two levels that do not exist yet: both are created 0700.
        var stateDir = _directory.Combine("var", "state");
        // A webhook that cannot be reached leaves a notification and its delivery error in the outbox.
        var config = _directory.Write("settings.yaml", TestSettings.Yaml(
            stateDir,
            interval: "\"1 GB\"",
            monitor: "provider: system",
            extra: "webhooks:\n  - url: http://127.0.0.1:9/hook\n    timeout: 1s\n"));

        Run(umask, "set-usage", "5 GB", "--config", config);
        Run(umask, "--once", "--config", config);

        var files = Directory.GetFiles(stateDir);
        Assert.Contains(Path.Combine(stateDir, "state.json"), files);
        Assert.Contains(Path.Combine(stateDir, "lock"), files);
        Assert.Contains(files, f => Path.GetFileName(f).StartsWith("calibration", StringComparison.Ordinal));
        Assert.Contains(files, f => Path.GetFileName(f).StartsWith("outbox", StringComparison.Ordinal));
        Assert.All(files, f => Assert.Equal((f, UnixFileMode.UserRead | UnixFileMode.UserWrite), (f, File.GetUnixFileMode(f))));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(stateDir));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_directory.Combine("var")));
    }

    [Fact]
    public void StateFile_WrittenByAnOlderVersionWithMode0644_Becomes0600()
    {
        var stateDir = _directory.Combine("state");
        var config = _directory.Write("settings.yaml", TestSettings.Yaml(stateDir, monitor: "provider: system"));
        Run("022", "--once", "--config", config);
        var state = Path.Combine(stateDir, "state.json");
        File.SetUnixFileMode(state, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        Run("022", "set-usage", "1 GB", "--config", config);
        Run("022", "--once", "--config", config);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(state));
    }
}
