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
    public const int MinResetDay = 1;
    public const int MaxResetDay = 31;
    public static readonly TimeSpan DefaultCheckInterval = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan MinCheckInterval = TimeSpan.FromSeconds(1);

    public static IReadOnlyList<string> KnownProviders { get; } = [VnStatProvider];

    public string Provider { get; init; } = VnStatProvider;

    /// <summary>Empty means: every physical interface the usage source knows, summed.</summary>
    public IReadOnlyList<string> Interfaces { get; init; } = [];

    public CountMode Count { get; init; } = CountMode.Total;

    public TimeSpan CheckInterval { get; init; } = DefaultCheckInterval;

    public int ResetDay { get; init; } = MinResetDay;

    public required string StateDir { get; init; }
}
