using Microsoft.Extensions.Logging.Abstractions;
using TrafficMonitor.State;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.State;

public sealed class StateDirectoryLockTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string StateDir => _directory.Combine("state");

    private string[] RuntimeDirectories => [_directory.Combine("run")];

    private (StateDirectoryLock? Lock, LockHolder? Holder) TryAcquire(string command = "run") =>
        StateDirectoryLock.TryAcquire(StateDir, command, RuntimeDirectories, NullLogger.Instance);

    [Fact]
    public void TryAcquire_Free_CreatesTheDirectoryAndWritesPidAndCommand()
    {
        using var owned = TryAcquire("once").Lock;

        Assert.NotNull(owned);
        Assert.Equal(Path.Combine(StateDir, "lock"), owned.FilePath);
        Assert.Equal($"{Environment.ProcessId}\nonce\n", Programs.Run("cat", owned.FilePath));
    }

    [Fact]
    public void TryAcquire_HeldByAnotherOpenFile_NamesTheHolder()
    {
        using var first = TryAcquire().Lock;

        var (second, holder) = TryAcquire();

        Assert.Null(second);
        Assert.Equal(new LockHolder(Environment.ProcessId, "run", Path.Combine(StateDir, "lock")), holder);
    }

    [Fact]
    public void TryAcquire_AfterRelease_TakesItAgainAndLeavesTheFile()
    {
        TryAcquire().Lock!.Dispose();

        using var again = TryAcquire().Lock;

        Assert.NotNull(again);
        Assert.True(File.Exists(Path.Combine(StateDir, "lock")));
    }

    [Fact]
    public void TryAcquire_StateDirectoryCannotHoldIt_LocksTheFallbackNamedByTheDirectory()
    {
        File.WriteAllText(StateDir, "a file, not a directory");

        using var owned = TryAcquire().Lock;
        var (second, holder) = TryAcquire();

        Assert.Equal(Path.Combine(RuntimeDirectories[0], StateDirectoryLock.FallbackFileName(StateDir)), owned!.FilePath);
        Assert.Null(second);
        Assert.Equal(owned.FilePath, holder!.LockPath);
    }

    [Fact]
    public void TryAcquire_FallbackHeld_RefusedEvenWhenTheStateDirectoryWorksAgain()
    {
        File.WriteAllText(StateDir, "a file, not a directory");
        using var fellBack = TryAcquire().Lock;
        File.Delete(StateDir);

        var (second, holder) = TryAcquire();

        Assert.Null(second);
        Assert.Equal(fellBack!.FilePath, holder!.LockPath);
    }

    [Fact]
    public void FallbackFileName_SameDirectorySpelledDifferently_IsTheSame()
    {
        Assert.Equal(StateDirectoryLock.FallbackFileName("/var/lib/traffic-monitor"), StateDirectoryLock.FallbackFileName("/var/lib/../lib/traffic-monitor/"));
        Assert.NotEqual(StateDirectoryLock.FallbackFileName("/var/lib/traffic-monitor"), StateDirectoryLock.FallbackFileName("/var/lib/traffic-monitor2"));
    }
}
