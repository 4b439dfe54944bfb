using TrafficMonitor.Configuration.Sections;

namespace TrafficMonitor.Configuration;

/// <summary>Valid settings that are still probably not what the admin wants (placeholders, rounding); said at start and by check-config.</summary>
public static class SettingsAdvisor
{
    /// <summary>Each section's warnings, in the file's order.</summary>
    public static IReadOnlyList<string> Warnings(TrafficMonitorSettings settings) =>
    [
        .. EmailSection.Warnings(settings.Email),
        .. WebhooksSection.Warnings(settings.Webhooks),
        .. NotificationsSection.Warnings(settings),
        .. ActionsSection.Warnings(settings),
        .. ProviderApiSection.Warnings(settings),
        .. MetricsSection.Warnings(settings.Metrics),
    ];
}
