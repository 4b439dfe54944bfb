using System.Globalization;
using System.Text;
using TrafficMonitor.Configuration.Yaml;
using static TrafficMonitor.Configuration.Sections.SettingsText;

namespace TrafficMonitor.Configuration.Sections;

/// <summary>The optional <c>monitor</c> section: where usage comes from and how it is counted.</summary>
internal static class MonitorSection
{
    private static readonly Dictionary<string, CountMode> CountModes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["total"] = CountMode.Total,
        ["rx"] = CountMode.Rx,
        ["tx"] = CountMode.Tx,
        ["max"] = CountMode.Max,
    };

    /// <param name="defaultStateDir">The state directory when the file names none.</param>
    public static MonitorOptions Read(SectionReader top, string defaultStateDir)
    {
        var section = top.Section(MonitorOptions.SectionName);
        var provider = section.String("provider");
        var interfaces = section.StringList("interfaces");
        var count = section.Choice("count", CountModes);
        var checkInterval = section.Duration("check_interval", MonitorOptions.MaxCheckInterval);
        var resetDayFromProvider = section.IsScalar("reset_day") && string.Equals(section.String("reset_day")?.Trim(), ProviderApiOptions.FromProvider, StringComparison.OrdinalIgnoreCase);
        var resetDay = resetDayFromProvider ? null : section.Int("reset_day", MonitorOptions.MinResetDay, MonitorOptions.MaxResetDay);
        var stateDir = section.NonBlankString("state_dir", $"name a directory, or remove the key for the default ({defaultStateDir})");
        var checkpointInterval = section.Duration("checkpoint_interval", MonitorOptions.MaxCheckpointInterval);
        var adjustPercent = section.Number("adjust_percent");
        var fastChecks = section.Bool("fast_checks");
        section.ReportUnknownKeys();

        if (provider is not null && !MonitorOptions.KnownProviders.Contains(provider.Trim().ToLowerInvariant()))
        {
            section.Problem("provider", $"{Quoted.Value(provider)} is not a known provider: use {string.Join(", ", MonitorOptions.KnownProviders)}");
        }

        AtLeast(section, "check_interval", checkInterval, MonitorOptions.MinCheckInterval);
        AtLeast(section, "checkpoint_interval", checkpointInterval, MonitorOptions.MinCheckpointInterval);
        if (adjustPercent is { } adjust && (adjust < MonitorOptions.MinAdjustPercent || adjust > MonitorOptions.MaxAdjustPercent))
        {
            section.Problem("adjust_percent", $"{adjust} is outside [{MonitorOptions.MinAdjustPercent}, {MonitorOptions.MaxAdjustPercent}]: e.g. 3 counts 3% more than the interfaces moved");
        }

        return new MonitorOptions
        {
            Provider = provider?.Trim().ToLowerInvariant() ?? MonitorOptions.AutoProvider,
            CheckpointInterval = checkpointInterval ?? MonitorOptions.DefaultCheckpointInterval,
            AdjustPercent = adjustPercent ?? 0,
            FastChecks = fastChecks ?? true,
            Interfaces = interfaces ?? [],
            Count = count ?? CountMode.Total,
            CheckInterval = checkInterval ?? MonitorOptions.DefaultCheckInterval,
            ResetDay = resetDay ?? MonitorOptions.MinResetDay,
            ResetDayFromProvider = resetDayFromProvider,
            StateDir = stateDir ?? defaultStateDir,
        };
    }

    public static void Print(MonitorOptions monitor, StringBuilder text)
    {
        text.AppendLine("monitor:");
        Line(text, 1, "provider", monitor.Provider);
        Line(text, 1, "interfaces", monitor.Interfaces.Count == 0 ? "(every physical interface, summed)" : $"[{string.Join(", ", monitor.Interfaces)}]");
        Line(text, 1, "count", monitor.Count.ToString().ToLowerInvariant());
        Line(text, 1, "check_interval", DurationParser.Format(monitor.CheckInterval));
        Line(text, 1, "reset_day", monitor.ResetDayFromProvider ? "provider   # when provider_api says the period resets" : monitor.ResetDay.ToString(CultureInfo.InvariantCulture));
        Line(text, 1, "state_dir", monitor.StateDir);
        Line(text, 1, "checkpoint_interval", DurationParser.Format(monitor.CheckpointInterval));
        Line(text, 1, "fast_checks", monitor.FastChecks ? "true   # sooner near a threshold, down to 100 ms" : "false");
        Line(text, 1, "adjust_percent", monitor.AdjustPercent.ToString(CultureInfo.InvariantCulture));
    }

    private static void AtLeast(SectionReader section, string key, TimeSpan? value, TimeSpan minimum)
    {
        if (value is { } v && v < minimum)
        {
            section.Problem(key, $"{DurationParser.Format(v)} is too short: use at least {DurationParser.Format(minimum)}");
        }
    }
}
