using TrafficMonitor.Configuration.Sections;

namespace TrafficMonitor.Configuration;

/// <summary>Valid settings that are still probably not what the admin wants (placeholders, rounding); said at start and by check-config.</summary>
public static class SettingsAdvisor
{
    /// <summary>Each section's warnings, in the file's order.</summary>
    /// <param name="runAs">Whom the monitor will run as, when not as this process (install-service: as the service).</param>
    public static IReadOnlyList<string> Warnings(TrafficMonitorSettings settings, Enforcement.Linux.ProcessCredentials? runAs = null) =>
    [
        .. EmailSection.Warnings(settings.Email),
        .. WebhooksSection.Warnings(settings.Webhooks),
        .. NotificationsSection.Warnings(settings),
        .. ActionsSection.Warnings(settings, runAs),
        .. ProviderApiSection.Warnings(settings),
        .. MetricsSection.Warnings(settings.Metrics),
    ];
}
