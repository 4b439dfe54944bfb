using System.Text.Json;

namespace TrafficMonitor.State;

/// <summary>
/// Reads a state file of version 2 and later (the shape <see cref="StateJsonContext"/> writes) without building
/// System.Text.Json's contracts (see <see cref="JsonFields"/>). Every member the writer writes is read back: a test
/// writes a state with no member at its default, reads it and writes it again, and compares the two files.
/// </summary>
internal static class MonitorStateReader
{
    public static MonitorState Read(JsonElement root)
    {
        var state = JsonFields.Of(root, "state");
        var empty = new MonitorState();
        return new MonitorState
        {
            Version = state.Int32("version"),
            Alerts = state.Object("alerts") is { } alerts ? Alerts(alerts) : empty.Alerts,
            EarlierAlerts = state.Object("earlier_alerts") is { } earlier ? Alerts(earlier) : empty.EarlierAlerts,
            Steps = state.Map("steps") is { } steps ? Steps(steps) : empty.Steps,
            Health = state.Object("health") is { } health ? Health(health) : empty.Health,
            Days = state.Object("days") is { } days ? Days(days) : empty.Days,
            Hold = state.Object("hold", nullable: true) is { } hold ? Hold(hold) : null,
        };
    }

    private static PeriodAlerts Alerts(JsonFields alerts) => new()
    {
        PeriodStart = alerts.NullableDate("period_start"),
        HighestStageNotified = alerts.Int64("highest_stage_notified"),
        CriticalNotified = alerts.Boolean("critical_notified"),
        ForecastCriticalDay = alerts.NullableDate("forecast_critical_day"),
    };

    /// <summary>A step named twice counts once, the last, as System.Text.Json reads a map.</summary>
    private static Dictionary<string, StepRecord> Steps(IEnumerable<(string Key, JsonFields Value)> steps)
    {
        var read = new Dictionary<string, StepRecord>(StringComparer.Ordinal);
        foreach (var (id, step) in steps)
        {
            read[id] = Step(step);
        }

        return read;
    }

    private static StepRecord Step(JsonFields step) => new()
    {
        Period = step.NullableDate("period"),
        Runs = step.Int32("runs"),
        Failures = step.Int32("failures"),
        LastRunAt = step.NullableDateTimeOffset("last_run_at"),
        LastRunPeriod = step.NullableDate("last_run_period"),
        RunBy = step.NullableGuid("run_by"),
        Unconfirmed = step.Boolean("unconfirmed"),
        InForce = step.Boolean("in_force"),
        Kind = step.NullableString("kind"),
        Undo = step.NullableStrings("undo"),
        LastFailureAt = step.NullableDateTimeOffset("last_failure_at"),
        RevertedAt = step.NullableDateTimeOffset("reverted_at"),
    };

    private static MonitorHealth Health(JsonFields health) => new()
    {
        LastCheckAt = health.NullableDateTimeOffset("last_check_at"),
        LastCountedBytes = health.NullableInt64("last_counted_bytes"),
        LastReading = health.Object("last_reading", nullable: true) is { } reading ? LastReading(reading) : null,
        UsageFailures = health.Int32("usage_failures"),
        UsageFailingSince = health.NullableDateTimeOffset("usage_failing_since"),
        DegradedNotified = health.Boolean("degraded_notified"),
    };

    private static LastReading LastReading(JsonFields reading)
    {
        reading.Require("source", "rx_bytes", "tx_bytes");
        return new LastReading(reading.String("source"), reading.Int64("rx_bytes"), reading.Int64("tx_bytes"));
    }

    private static DayMarks Days(JsonFields days) => new()
    {
        Date = days.NullableDate("date"),
        Bytes = days.NullableInt64("bytes"),
        YesterdayBytes = days.NullableInt64("yesterday_bytes"),
        LastDailyReport = days.NullableDate("last_daily_report"),
    };

    private static EnforcementHold Hold(JsonFields hold)
    {
        hold.Require("since", "until");
        return new EnforcementHold(hold.DateTimeOffset("since"), hold.NullableDateTimeOffset("until"), hold.Boolean("revert_all"));
    }
}
