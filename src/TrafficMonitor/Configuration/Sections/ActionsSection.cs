using System.Text;
using TrafficMonitor.Configuration.Yaml;
using TrafficMonitor.Platform;

namespace TrafficMonitor.Configuration.Sections;

/// <summary>
/// The optional <c>actions</c> section: <c>shutdown</c> (the critical action without a ladder, and a shutdown rule's
/// defaults) and <c>rules</c> (the enforcement ladder). Reports the section's unknown keys.
/// </summary>
internal static class ActionsSection
{
    public static (ShutdownActionOptions Shutdown, IReadOnlyList<RuleOptions> Rules) Read(SectionReader top, ThresholdsOptions? thresholds, HostPlatform platform)
    {
        var actions = top.Section(ShutdownActionOptions.ActionsSectionName);
        var shutdown = ShutdownSection.Read(actions);
        var rules = RulesSection.Read(actions, thresholds, shutdown, platform);
        actions.ReportUnknownKeys();
        return (shutdown, rules);
    }

    public static void Print(TrafficMonitorSettings settings, StringBuilder text)
    {
        text.AppendLine($"{ShutdownActionOptions.ActionsSectionName}:");
        ShutdownSection.Print(settings.Shutdown, text, defaultsOnly: settings.Rules.Count > 0);
        RulesSection.Print(settings.Rules, settings.Thresholds, text);
    }

    public static IEnumerable<string> Warnings(TrafficMonitorSettings settings, Enforcement.Linux.ProcessCredentials? runAs = null) =>
        settings.Rules.Count == 0 ? ShutdownSection.Warnings(settings.Shutdown) : RulesSection.Warnings(settings, runAs);
}
