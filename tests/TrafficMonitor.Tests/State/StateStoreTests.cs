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
        var state = new MonitorState
        {
            Alerts = new PeriodAlerts { PeriodStart = new DateOnly(2026, 11, 1), HighestStageNotified = 42, CriticalNotified = true },
            Health = new MonitorHealth { LastCheckAt = _time.GetUtcNow(), LastCountedBytes = 43 },
        }.WithStep("shutdown", new StepRecord { Period = new DateOnly(2026, 11, 1), LastRunAt = _time.GetUtcNow(), RunBy = Guid.NewGuid(), Runs = 1 });
        CreateSut().Save(state);
        Assert.Equal(state, CreateSut().Load());
        Assert.Empty(Directory.GetFiles(_directory.Combine("state"), "*.tmp"));
    }

    /// <summary>A state file exactly as version 1 (the flat record) wrote it, after the shutdown ran once.</summary>
    [Fact]
    public void Load_Version1File_IsMigratedWithNothingLost()
    {
        var sut = CreateSut();
        Directory.CreateDirectory(_directory.Combine("state"));
        File.WriteAllText(sut.FilePath, """
            {
              "version": 1,
              "period_start": "2026-11-01",
              "highest_stage_notified": 107374182400,
              "critical_notified": true,
              "action_last_run_at": "2026-11-23T07:55:00+00:00",
              "action_run_by": "6f9619ff-8b86-d011-b42d-00cf4fc964ff",
              "action_runs": 1,
              "action_failures": 0,
              "last_check_at": "2026-11-23T07:59:00.5+00:00",
              "last_counted_bytes": 193273528320,
              "usage_failures": 2,
              "usage_failing_since": "2026-11-23T07:58:00+00:00",
              "degraded_notified": false,
              "day_mark_date": "2026-11-23",
              "day_mark_bytes": 177216498,
              "yesterday_bytes": 1234,
              "last_daily_report": "2026-11-22"
            }
            """);

        var state = sut.Load();

        Assert.Equal(MonitorState.CurrentVersion, state.Version);
        Assert.Equal(new PeriodAlerts { PeriodStart = new DateOnly(2026, 11, 1), HighestStageNotified = 107374182400, CriticalNotified = true }, state.Alerts);
        Assert.Equal(
            new StepRecord
            {
                Period = new DateOnly(2026, 11, 1), LastRunAt = new DateTimeOffset(2026, 11, 23, 7, 55, 0, TimeSpan.Zero), LastRunPeriod = new DateOnly(2026, 11, 1),
                RunBy = Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff"), Runs = 1,
            },
            Assert.Single(state.Steps, s => s.Key == "shutdown").Value);
        Assert.Equal(
            new MonitorHealth
            {
                LastCheckAt = new DateTimeOffset(2026, 11, 23, 7, 59, 0, 500, TimeSpan.Zero), LastCountedBytes = 193273528320,
                UsageFailures = 2, UsageFailingSince = new DateTimeOffset(2026, 11, 23, 7, 58, 0, TimeSpan.Zero),
            },
            state.Health);
        Assert.Equal(new DayMarks { Date = new DateOnly(2026, 11, 23), Bytes = 177216498, YesterdayBytes = 1234, LastDailyReport = new DateOnly(2026, 11, 22) }, state.Days);
    }

    [Fact]
    public void Load_Version1FileWithoutAnAction_HasNoStepRecord()
    {
        var sut = CreateSut();
        Directory.CreateDirectory(_directory.Combine("state"));
        File.WriteAllText(sut.FilePath, "{\"version\": 1, \"period_start\": \"2026-11-01\", \"highest_stage_notified\": 5}");

        var state = sut.Load();

        Assert.Empty(state.Steps);
        Assert.Equal(5, state.Alerts.HighestStageNotified);
    }

    [Fact]
    public void Save_WritesTheCurrentVersion()
    {
        var sut = CreateSut();
        sut.Save(new MonitorState());
        Assert.Contains("\"version\": 2", File.ReadAllText(sut.FilePath), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"period_start\": \"not a date\"}")]
    [InlineData("null")]
    [InlineData("{\"version\": 99}")]
    [InlineData("{\"version\": \"2\"}")]
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
