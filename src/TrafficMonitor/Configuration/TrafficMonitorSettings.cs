namespace TrafficMonitor.Configuration;

/// <summary>Every section of one loaded, validated configuration file.</summary>
public sealed class TrafficMonitorSettings
{
    public required string SourcePath { get; init; }

    public required ThresholdsOptions Thresholds { get; init; }

    /// <summary>Null when the file has no <c>email</c> section.</summary>
    public EmailOptions? Email { get; init; }

    /// <summary>Empty when the file has no <c>webhooks</c> list.</summary>
    public IReadOnlyList<WebhookOptions> Webhooks { get; init; } = [];

    /// <summary>Null when the file has no <c>telegram</c> section.</summary>
    public TelegramOptions? Telegram { get; init; }

    public NotificationsOptions Notifications { get; init; } = new();

    public required MonitorOptions Monitor { get; init; }

    public required VnStatOptions VnStat { get; init; }

    public required ShutdownActionOptions Shutdown { get; init; }

    /// <summary>
    /// The enforcement ladder (<c>actions.rules</c>), in ascending order of their points. Empty: the original behaviour,
    /// the shutdown of <see cref="Shutdown"/> at the critical point.
    /// </summary>
    public IReadOnlyList<RuleOptions> Rules { get; init; } = [];

    /// <summary>Null when the file has no <c>provider_api</c> section.</summary>
    public ProviderApiOptions? ProviderApi { get; init; }
    public MetricsOptions Metrics { get; init; } = new();
}
