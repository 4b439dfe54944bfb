using System.Text;
using TrafficMonitor.Configuration.Sections;

namespace TrafficMonitor.Configuration;

/// <summary>Prints the effective settings (defaults filled in) as YAML-like text, with every secret masked.</summary>
public static class SettingsPrinter
{
    /// <summary>Each section prints itself, in the file's order.</summary>
    public static string Format(TrafficMonitorSettings settings)
    {
        var text = new StringBuilder();
        ThresholdsSection.Print(settings.Thresholds, text);
        EmailSection.Print(settings.Email, text);
        WebhooksSection.Print(settings.Webhooks, text);
        TelegramSection.Print(settings.Telegram, text);
        NotificationsSection.Print(settings.Notifications, text);
        MonitorSection.Print(settings.Monitor, text);
        VnStatSection.Print(settings.VnStat, text);
        ActionsSection.Print(settings, text);
        ProviderApiSection.Print(settings.ProviderApi, text);
        MetricsSection.Print(settings.Metrics, text);
        return text.ToString();
    }
}
