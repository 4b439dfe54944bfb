namespace TrafficMonitor.Configuration;

/// <summary>The <c>thresholds</c> section: the quota, the alert step and the critical point.</summary>
public sealed class ThresholdsOptions
{
    public const string SectionName = "thresholds";

    /// <summary>
    /// The most stages (total_limit / interval) allowed: every stage is an alert, a chart tick and a loop turn,
    /// so a tiny interval (1 B of 100 GiB: 10^11 stages) would make every check and every message explode.
    /// </summary>
    public const long MaxStages = 1000;

    public required ByteSize TotalLimit { get; init; }

    public required ByteSize Interval { get; init; }

    public required decimal CriticalPercentage { get; init; }

    /// <summary>
    /// <c>total_limit: provider</c>: the quota is what the provider's API says (provider_api). Until it has said,
    /// <see cref="TotalLimit"/> holds a stand-in that the check never decides on (usage is unavailable without it).
    /// </summary>
    public bool LimitFromProvider { get; init; }

    /// <summary>These thresholds with the provider's quota in place of the configured one.</summary>
    public ThresholdsOptions WithTotalLimit(long bytes) => new()
    {
        TotalLimit = TotalLimit with { Bytes = bytes },
        Interval = Interval,
        CriticalPercentage = CriticalPercentage,
        LimitFromProvider = LimitFromProvider,
    };

    public long CriticalBytes => (long)Math.Floor(TotalLimit.Bytes * CriticalPercentage / 100m);

    /// <summary>Every message prints sizes like the limit was written: same family, its unit at most.</summary>
    public SizeUnits Units => TotalLimit.DisplayUnits;
}
