namespace TrafficMonitor.Configuration;

/// <summary>Which direction(s) of traffic count against the quota.</summary>
public enum CountMode
{
    /// <summary>Received plus transmitted.</summary>
    Total,
    Rx,
    Tx,

    /// <summary>The larger of the two directions, as some providers bill.</summary>
    Max,
}

/// <summary>The <c>monitor</c> section: where usage comes from and how it is counted.</summary>
public sealed class MonitorOptions
{
    public const string SectionName = "monitor";
    public const string VnStatProvider = "vnstat";
    public const string SystemProvider = "system";

    /// <summary>vnStat when it is installed and has data for the chosen interfaces, otherwise the OS's own counters.</summary>
    public const string AutoProvider = "auto";
    public const int MinResetDay = 1;
    public const int MaxResetDay = 31;
    public static readonly TimeSpan DefaultCheckInterval = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan MinCheckInterval = TimeSpan.FromSeconds(1);

    /// <summary>Checking less often than daily cannot guard a quota; timers also top out near 49 days.</summary>
    public static readonly TimeSpan MaxCheckInterval = TimeSpan.FromDays(1);

    /// <summary>The shortest gap between checks when a threshold is close: what keeps overshoot to a fraction of a second.</summary>
    public static readonly TimeSpan FastCheckInterval = TimeSpan.FromMilliseconds(100);

    public static readonly TimeSpan DefaultCheckpointInterval = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan MinCheckpointInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxCheckpointInterval = TimeSpan.FromDays(1);
    public const decimal MinAdjustPercent = -50;
    public const decimal MaxAdjustPercent = 100;

    public static IReadOnlyList<string> KnownProviders { get; } = [AutoProvider, SystemProvider, VnStatProvider];

    public string Provider { get; init; } = AutoProvider;

    /// <summary>Empty means: every physical interface the usage source knows, summed.</summary>
    public IReadOnlyList<string> Interfaces { get; init; } = [];

    public CountMode Count { get; init; } = CountMode.Total;

    public TimeSpan CheckInterval { get; init; } = DefaultCheckInterval;

    public int ResetDay { get; init; } = MinResetDay;

    /// <summary><c>reset_day: provider</c>: the period resets when the provider's API says (provider_api, KiwiVM).</summary>
    public bool ResetDayFromProvider { get; init; }

    public required string StateDir { get; init; }

    /// <summary>
    /// How often the system provider's ledger reaches the disk: the most counted traffic a power loss can cost.
    /// A crash or kill loses nothing, because the kernel keeps counting and the ledger holds the counters it last saw.
    /// </summary>
    public TimeSpan CheckpointInterval { get; init; } = DefaultCheckpointInterval;

    /// <summary>Check sooner than check_interval when a threshold could be reached before the next check at full line rate.</summary>
    public bool FastChecks { get; init; } = true;

    /// <summary>Scales counted traffic by this many percent (e.g. 3 for a provider that bills protocol overhead).</summary>
    public decimal AdjustPercent { get; init; }
}
