namespace TrafficMonitor.State;

/// <summary>
/// What the monitor remembers across restarts and reboots, grouped by how long each part lives: the alerts of one
/// billing period, what each enforcement step did (kept across periods, so a step applied in one can be undone in the
/// next), the monitor's own health, and the day marks behind the daily report.
/// </summary>
public sealed record MonitorState
{
    /// <summary>2: grouped by lifetime. Version 1 was one flat record (read and migrated by <see cref="StateMigration"/>).</summary>
    public const int CurrentVersion = 2;

    public int Version { get; init; } = CurrentVersion;

    /// <summary>The alerts of the latest billing period seen.</summary>
    public PeriodAlerts Alerts { get; init; } = new();

    /// <summary>
    /// The alerts of an earlier period, kept for a clock that moves back into it (a time-zone change, a correction
    /// across the reset day): that period's alerts are not sent again, and the latest period's are not re-armed.
    /// </summary>
    public PeriodAlerts EarlierAlerts { get; init; } = new();

    /// <summary>By enforcement step id (e.g. <c>shutdown</c>).</summary>
    public IReadOnlyDictionary<string, StepRecord> Steps { get; init; } = NoSteps;

    public MonitorHealth Health { get; init; } = new();

    public DayMarks Days { get; init; } = new();

    /// <summary>Enforcement held by <c>traffic-monitor pause</c> or <c>revert-all</c>; null when not held.</summary>
    public EnforcementHold? Hold { get; init; }

    private static IReadOnlyDictionary<string, StepRecord> NoSteps { get; } = new Dictionary<string, StepRecord>(StringComparer.Ordinal);

    public StepRecord Step(string id) => Steps.TryGetValue(id, out var record) ? record : new StepRecord();

    public MonitorState WithStep(string id, StepRecord record) =>
        this with { Steps = new Dictionary<string, StepRecord>(Steps, StringComparer.Ordinal) { [id] = record } };

    // Records compare their dictionaries by reference; two states with the same step records are the same state.
    public bool Equals(MonitorState? other) =>
        other is not null && Version == other.Version && Alerts == other.Alerts && EarlierAlerts == other.EarlierAlerts
        && Health == other.Health && Days == other.Days && Hold == other.Hold
        && Steps.Count == other.Steps.Count
        && Steps.All(step => other.Steps.TryGetValue(step.Key, out var record) && record == step.Value);

    public override int GetHashCode() => HashCode.Combine(Version, Alerts, EarlierAlerts, Health, Days, Steps.Count);
}

/// <summary>The alerts of the billing period starting at <see cref="PeriodStart"/>; a new period starts them afresh.</summary>
public sealed record PeriodAlerts
{
    public DateOnly? PeriodStart { get; init; }

    /// <summary>The highest stage (in bytes) already notified this period; every stage at or below it counts as sent.</summary>
    public long HighestStageNotified { get; init; }

    public bool CriticalNotified { get; init; }

    /// <summary>
    /// The day the forecast last said the critical point would be reached (and the admin was told); it is said again
    /// only when that day moves a day or more earlier. Absent in files written before the forecast existed.
    /// </summary>
    public DateOnly? ForecastCriticalDay { get; init; }

    public static PeriodAlerts For(DateOnly periodStart) => new() { PeriodStart = periodStart };
}

/// <summary>
/// What one enforcement step did. Runs and failures count within <see cref="Period"/>; the last run and whether the
/// step is in force outlive it, so a restart just after a new period still waits <c>boot_grace</c>, and a step
/// still in force when a new period starts is known and can be undone.
/// </summary>
public sealed record StepRecord
{
    /// <summary>The billing period the run and failure counts belong to.</summary>
    public DateOnly? Period { get; init; }

    public int Runs { get; init; }

    /// <summary>Failed attempts since the last success; the first one of a run is notified.</summary>
    public int Failures { get; init; }

    /// <summary>When the step last ran (or started to run, see <see cref="Unconfirmed"/>), in any period.</summary>
    public DateTimeOffset? LastRunAt { get; init; }

    /// <summary>The billing period of <see cref="LastRunAt"/>.</summary>
    public DateOnly? LastRunPeriod { get; init; }

    /// <summary>
    /// The process that ran it. A different one means the monitor restarted (often: the machine rebooted) since,
    /// which is when <c>boot_grace</c> applies.
    /// </summary>
    public Guid? RunBy { get; init; }

    /// <summary>
    /// The run was recorded before its command started and no result followed: the monitor died while it ran (or
    /// the command powered the machine off first). It counts as a run, so a restart never repeats it at once.
    /// </summary>
    public bool Unconfirmed { get; init; }

    /// <summary>Applied and not undone yet (steps that can be undone; a shutdown never is).</summary>
    public bool InForce { get; init; }

    /// <summary>The rule's <c>do</c> when it was last applied: how to undo it once the rule is gone from the settings.</summary>
    public string? Kind { get; init; }

    /// <summary>What undoes the step, as the step said when it was applied (a command step's <c>undo</c> list).</summary>
    public IReadOnlyList<string>? Undo { get; init; }

    /// <summary>When the last attempt failed; a failed step waits its retry interval from here.</summary>
    public DateTimeOffset? LastFailureAt { get; init; }

    /// <summary>When it was last undone.</summary>
    public DateTimeOffset? RevertedAt { get; init; }

    // Records compare their lists by reference; two records with the same undo list are the same record.
    public bool Equals(StepRecord? other) =>
        other is not null && Period == other.Period && Runs == other.Runs && Failures == other.Failures && LastRunAt == other.LastRunAt
        && LastRunPeriod == other.LastRunPeriod && RunBy == other.RunBy && Unconfirmed == other.Unconfirmed && InForce == other.InForce
        && Kind == other.Kind && LastFailureAt == other.LastFailureAt && RevertedAt == other.RevertedAt
        && (Undo ?? []).SequenceEqual(other.Undo ?? [], StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Period, Runs, Failures, LastRunAt, InForce, Kind);

    /// <summary>Whether the last run was in <paramref name="period"/> (or a later one, when the clock moved back).</summary>
    public bool RanIn(DateOnly period) => LastRunPeriod >= period;

    /// <summary>This record as seen in <paramref name="period"/>: counts of an earlier period start again.</summary>
    public StepRecord In(DateOnly period) => Period >= period ? this : this with { Period = period, Runs = 0, Failures = 0 };
}

/// <summary>How the monitor itself is doing: its last check and whether usage could be read.</summary>
public sealed record MonitorHealth
{
    public DateTimeOffset? LastCheckAt { get; init; }

    public long? LastCountedBytes { get; init; }

    /// <summary>What the last check read besides the counted bytes, so <c>status</c> can show the daemon's own view.</summary>
    public LastReading? LastReading { get; init; }

    /// <summary>Checks in a row that could not read usage; reset by the first that can.</summary>
    public int UsageFailures { get; init; }

    public DateTimeOffset? UsageFailingSince { get; init; }

    /// <summary>"Monitoring degraded" was queued, so "recovered" follows when usage can be read again.</summary>
    public bool DegradedNotified { get; init; }
}

/// <summary>The source and the period's rx and tx of the last check (the counted bytes are <see cref="MonitorHealth.LastCountedBytes"/>).</summary>
public sealed record LastReading(string Source, long RxBytes, long TxBytes);

/// <summary>Usage counted at each local day's first check, to tell a day's usage for the daily report.</summary>
public sealed record DayMarks
{
    public DateOnly? Date { get; init; }

    public long? Bytes { get; init; }

    /// <summary>Usage between the first checks of yesterday and today; null when the monitor did not see both.</summary>
    public long? YesterdayBytes { get; init; }

    public DateOnly? LastDailyReport { get; init; }
}

/// <summary>Enforcement held: no step is applied and those in force are undone, until <see cref="Until"/> or <c>resume</c>.</summary>
/// <param name="RevertAll">Held by <c>revert-all</c> (for uninstalling): every trace removed, and nothing applied until <c>resume</c>.</param>
public sealed record EnforcementHold(DateTimeOffset Since, DateTimeOffset? Until, bool RevertAll = false)
{
    public bool ActiveAt(DateTimeOffset now) => Until is not { } until || now < until;
}
