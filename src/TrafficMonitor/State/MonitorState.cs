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

    public static MonitorState ForPeriod(DateOnly periodStart) => new() { PeriodStart = periodStart };
}
