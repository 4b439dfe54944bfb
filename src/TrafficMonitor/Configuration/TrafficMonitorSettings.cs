namespace TrafficMonitor.Configuration;

/// <summary>Every section of one loaded, validated configuration file.</summary>
public sealed class TrafficMonitorSettings
{
    public required string SourcePath { get; init; }

    public required ThresholdsOptions Thresholds { get; init; }

    /// <summary>Null when the file has no <c>email</c> section.</summary>
    public EmailOptions? Email { get; init; }

    public required MonitorOptions Monitor { get; init; }

    public required VnStatOptions VnStat { get; init; }

    public required ShutdownActionOptions Shutdown { get; init; }
}
