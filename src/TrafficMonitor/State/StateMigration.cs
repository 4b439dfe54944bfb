using System.Text.Json;

namespace TrafficMonitor.State;

/// <summary>Reads a state file of any version this build knows and returns it in the current shape.</summary>
public static class StateMigration
{
    /// <summary>The step id version 1's only action (the shutdown) is kept under; the shutdown step uses the same id.</summary>
    public const string Version1ActionStep = "shutdown";

    public static MonitorState? Read(byte[] content)
    {
        using var document = JsonDocument.Parse(content);
        var root = document.RootElement;
        return ReadVersion(root) is null or 1
            ? FromVersion1(JsonSerializer.Deserialize(root, StateJsonContext.Default.MonitorStateV1))
            : MonitorStateReader.Read(root);
    }

    /// <summary>The shutdown was the only action of version 1; its record becomes the <c>shutdown</c> step's.</summary>
    public static MonitorState? FromVersion1(MonitorStateV1? v1)
    {
        if (v1 is null)
        {
            return null;
        }

        var state = new MonitorState
        {
            Alerts = new PeriodAlerts { PeriodStart = v1.PeriodStart, HighestStageNotified = v1.HighestStageNotified, CriticalNotified = v1.CriticalNotified },
            Health = new MonitorHealth
            {
                LastCheckAt = v1.LastCheckAt,
                LastCountedBytes = v1.LastCountedBytes,
                UsageFailures = v1.UsageFailures,
                UsageFailingSince = v1.UsageFailingSince,
                DegradedNotified = v1.DegradedNotified,
            },
            Days = new DayMarks { Date = v1.DayMarkDate, Bytes = v1.DayMarkBytes, YesterdayBytes = v1.YesterdayBytes, LastDailyReport = v1.LastDailyReport },
        };
        var shutdown = new StepRecord
        {
            Period = v1.PeriodStart,
            LastRunAt = v1.ActionLastRunAt,
            LastRunPeriod = v1.ActionLastRunAt is null ? null : v1.PeriodStart,
            RunBy = v1.ActionRunBy,
            Runs = v1.ActionRuns,
            Failures = v1.ActionFailures,
        };
        return shutdown == new StepRecord { Period = v1.PeriodStart } ? state : state.WithStep(Version1ActionStep, shutdown);
    }

    private static int? ReadVersion(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object
        && root.TryGetProperty("version", out var version)
        && version.ValueKind == JsonValueKind.Number
        && version.TryGetInt32(out var number)
            ? number
            : null;
}

/// <summary>The state file as version 1 wrote it: one flat record.</summary>
public sealed record MonitorStateV1
{
    public int Version { get; init; } = 1;

    public DateOnly? PeriodStart { get; init; }

    public long HighestStageNotified { get; init; }

    public bool CriticalNotified { get; init; }

    public DateTimeOffset? ActionLastRunAt { get; init; }

    public Guid? ActionRunBy { get; init; }

    public int ActionRuns { get; init; }

    public int ActionFailures { get; init; }

    public DateTimeOffset? LastCheckAt { get; init; }

    public long? LastCountedBytes { get; init; }

    public int UsageFailures { get; init; }

    public DateTimeOffset? UsageFailingSince { get; init; }

    public bool DegradedNotified { get; init; }

    public DateOnly? DayMarkDate { get; init; }

    public long? DayMarkBytes { get; init; }

    public long? YesterdayBytes { get; init; }

    public DateOnly? LastDailyReport { get; init; }
}
