using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TrafficMonitor.State;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.State;

public class StateStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));

    public void Dispose() => _directory.Dispose();

    private StateStore CreateSut() => new(_directory.Combine("state"), _time, NullLogger<StateStore>.Instance);

    [Fact]
    public void Load_NoFile_IsAnEmptyState() => Assert.Equal(new MonitorState(), CreateSut().Load());

    [Fact]
    public void SaveThenLoad_RoundTrips()
    {
        var state = MonitorState.ForPeriod(new DateOnly(2026, 11, 1)) with
        {
            HighestStageNotified = 42, CriticalNotified = true, ActionLastRunAt = _time.GetUtcNow(), ActionRunBy = Guid.NewGuid(), ActionRuns = 1,
        };
        CreateSut().Save(state);
        Assert.Equal(state, CreateSut().Load());
        Assert.Empty(Directory.GetFiles(_directory.Combine("state"), "*.tmp"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"period_start\": \"not a date\"}")]
    [InlineData("null")]
    [InlineData("{\"version\": 99}")]
    public void Load_Unreadable_MovesTheFileAsideAndStartsAfresh(string content)
    {
        var sut = CreateSut();
        Directory.CreateDirectory(_directory.Combine("state"));
        File.WriteAllText(sut.FilePath, content);

        Assert.Equal(new MonitorState(), sut.Load());

        Assert.False(File.Exists(sut.FilePath));
        Assert.Equal(content, File.ReadAllText(Assert.Single(Directory.GetFiles(_directory.Combine("state"), "state.json.unreadable-20261123T080000Z"))));
    }

    [Fact]
    public void Save_UnwritableDirectory_SaysWhatToDo()
    {
        File.WriteAllText(_directory.Combine("state"), "a file where the directory should be");
        var error = Assert.Throws<StateException>(() => CreateSut().Save(new MonitorState()));
        Assert.Contains("monitor.state_dir", error.Message, StringComparison.Ordinal);
    }
}
