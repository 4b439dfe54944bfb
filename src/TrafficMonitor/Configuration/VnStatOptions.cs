namespace TrafficMonitor.Configuration;

/// <summary>The <c>vnstat</c> section: how to call vnStat.</summary>
public sealed class VnStatOptions
{
    public const string SectionName = "vnstat";
    public const string DefaultCommand = "vnstat";
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    public string Command { get; init; } = DefaultCommand;

    /// <summary>Passed on as <c>--dbdir</c>.</summary>
    public string? DbDir { get; init; }

    /// <summary>Passed on as <c>--config</c>.</summary>
    public string? Config { get; init; }
}
