namespace TrafficMonitor.Configuration;

/// <summary>The <c>thresholds</c> section: the quota, the alert step and the critical point.</summary>
public sealed class ThresholdsOptions
{
    public const string SectionName = "thresholds";

    public required ByteSize TotalLimit { get; init; }

    public required ByteSize Interval { get; init; }

    public required decimal CriticalPercentage { get; init; }

    public long CriticalBytes => (long)Math.Floor(TotalLimit.Bytes * CriticalPercentage / 100m);

    /// <summary>Every message prints sizes like the limit was written: same family, its unit at most.</summary>
    public SizeUnits Units => TotalLimit.DisplayUnits;
}
