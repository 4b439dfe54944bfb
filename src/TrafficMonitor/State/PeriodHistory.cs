namespace TrafficMonitor.State;

/// <summary>
/// Past billing periods, newest last, one record each, written when a new period starts (<c>history.json</c>). Bounded:
/// the oldest records go beyond <see cref="MaxPeriods"/>.
/// </summary>
public sealed record PeriodHistory
{
    public const int CurrentVersion = 1;

    /// <summary>Three years of monthly periods: enough to compare a season, small enough to read at a glance (about 20 KiB).</summary>
    public const int MaxPeriods = 36;

    public int Version { get; init; } = CurrentVersion;

    public IReadOnlyList<PeriodRecord> Periods { get; init; } = [];

    /// <summary>This history with <paramref name="record"/> in place of any record of the same period, oldest first, bounded.</summary>
    public PeriodHistory With(PeriodRecord record) => this with
    {
        Periods = Periods.Where(p => p.PeriodStart != record.PeriodStart).Append(record).OrderBy(p => p.PeriodStart).TakeLast(MaxPeriods).ToList(),
    };

    public bool Equals(PeriodHistory? other) => other is not null && Version == other.Version && Periods.SequenceEqual(other.Periods);

    public override int GetHashCode() => HashCode.Combine(Version, Periods.Count);
}

/// <summary>
/// One past period as its last check saw it: totals (which miss only the traffic between that check and the reset),
/// the limit then, and what was notified and done.
/// </summary>
public sealed record PeriodRecord
{
    public required DateOnly PeriodStart { get; init; }

    /// <summary>The period's last day.</summary>
    public required DateOnly PeriodEnd { get; init; }

    /// <summary>When the period's last check ran; null when no check of that period read usage.</summary>
    public DateTimeOffset? LastCheckAt { get; init; }

    public string? Source { get; init; }

    public long? RxBytes { get; init; }

    public long? TxBytes { get; init; }

    public long? CountedBytes { get; init; }

    public required long LimitBytes { get; init; }

    public required long CriticalBytes { get; init; }

    public long HighestStageNotified { get; init; }

    public bool CriticalNotified { get; init; }

    /// <summary>The day the forecast last warned the critical point would be reached; null when it never warned.</summary>
    public DateOnly? ForecastCriticalDay { get; init; }

    /// <summary>Each step that ran or failed in the period; absent reads as none.</summary>
    public IReadOnlyList<PeriodStepRecord> Steps { get => _steps; init => _steps = value ?? []; }

    private readonly IReadOnlyList<PeriodStepRecord> _steps = [];

    public bool Equals(PeriodRecord? other) =>
        other is not null && PeriodStart == other.PeriodStart && PeriodEnd == other.PeriodEnd && LastCheckAt == other.LastCheckAt && Source == other.Source
        && RxBytes == other.RxBytes && TxBytes == other.TxBytes && CountedBytes == other.CountedBytes && LimitBytes == other.LimitBytes
        && CriticalBytes == other.CriticalBytes && HighestStageNotified == other.HighestStageNotified && CriticalNotified == other.CriticalNotified
        && ForecastCriticalDay == other.ForecastCriticalDay && Steps.SequenceEqual(other.Steps);

    public override int GetHashCode() => HashCode.Combine(PeriodStart, CountedBytes);
}

/// <summary>What one enforcement step did in a past period.</summary>
public sealed record PeriodStepRecord(string Id, int Runs, int Failures, DateTimeOffset? LastRunAt);
