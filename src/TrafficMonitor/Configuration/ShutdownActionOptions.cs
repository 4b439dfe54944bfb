namespace TrafficMonitor.Configuration;

/// <summary>The <c>actions.shutdown</c> section.</summary>
public sealed record ShutdownActionOptions
{
    public const string ActionsSectionName = "actions";
    public const string ShutdownKey = "shutdown";
    public const string SectionName = $"{ActionsSectionName}.{ShutdownKey}";
    public static readonly TimeSpan DefaultDelay = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan DefaultBootGrace = TimeSpan.FromMinutes(10);

    /// <summary>A warning to logged-in users; a longer one is no longer a shutdown at the critical point.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(1);

    /// <summary>A billing period: the guard against rerunning the action within one.</summary>
    public static readonly TimeSpan MaxBootGrace = TimeSpan.FromDays(31);

    public bool Enabled { get; init; } = true;

    /// <summary>Handed to the OS shutdown so logged-in users are warned and it can be cancelled.</summary>
    public TimeSpan Delay { get; init; } = DefaultDelay;

    /// <summary>Replaces the OS shutdown command; run without a shell. Empty (the key left out) means the OS default.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>After a restart in the same period, how long since the last run before the action may run again.</summary>
    public TimeSpan BootGrace { get; init; } = DefaultBootGrace;
}
