namespace TrafficMonitor.State;

/// <summary>
/// What the monitor must remember across restarts and reboots, for the billing period starting at
/// <see cref="PeriodStart"/>. A new period starts from <see cref="ForPeriod"/>, which re-arms every stage.
/// </summary>
public sealed record MonitorState
{
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;

    public DateOnly? PeriodStart { get; init; }

    /// <summary>The highest stage (in bytes) already notified this period; every stage at or below it counts as sent.</summary>
    public long HighestStageNotified { get; init; }

    public bool CriticalNotified { get; init; }

    /// <summary>When the critical action last ran successfully this period.</summary>
    public DateTimeOffset? ActionLastRunAt { get; init; }

    /// <summary>
    /// The process that ran it. A different one means the monitor restarted (often: the machine rebooted)
    /// since, which is when <c>boot_grace</c> applies.
    /// </summary>
    public Guid? ActionRunBy { get; init; }

    public int ActionRuns { get; init; }

    /// <summary>Failed attempts since the last success; the first one of a run is notified.</summary>
    public int ActionFailures { get; init; }

    public DateTimeOffset? LastCheckAt { get; init; }

    public long? LastCountedBytes { get; init; }

    /// <summary>Checks in a row that could not read usage; reset by the first that can.</summary>
    public int UsageFailures { get; init; }

    public DateTimeOffset? UsageFailingSince { get; init; }

    /// <summary>"Monitoring degraded" was queued, so "recovered" follows when usage can be read again.</summary>
    public bool DegradedNotified { get; init; }

    /// <summary>The local day of <see cref="DayMarkBytes"/>: usage counted at that day's first check, to tell a day's usage.</summary>
    public DateOnly? DayMarkDate { get; init; }

    public long? DayMarkBytes { get; init; }

    /// <summary>Usage between the first checks of yesterday and today; null when the monitor did not see both.</summary>
    public long? YesterdayBytes { get; init; }

    public DateOnly? LastDailyReport { get; init; }

    /// <summary>
    /// Keeps what is about the monitor rather than the period (usage failures, daily marks) when the policy starts a
    /// period afresh.
    /// </summary>
    public MonitorState WithMonitoringFrom(MonitorState previous) => this with
    {
        UsageFailures = previous.UsageFailures,
        UsageFailingSince = previous.UsageFailingSince,
        DegradedNotified = previous.DegradedNotified,
        DayMarkDate = previous.DayMarkDate,
        DayMarkBytes = previous.DayMarkBytes,
        YesterdayBytes = previous.YesterdayBytes,
        LastDailyReport = previous.LastDailyReport,
    };

    public static MonitorState ForPeriod(DateOnly periodStart) => new() { PeriodStart = periodStart };
}
