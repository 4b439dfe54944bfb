using System.Text;
using TrafficMonitor.Configuration.Yaml;
using TrafficMonitor.Platform;
using static TrafficMonitor.Configuration.Sections.SettingsText;

namespace TrafficMonitor.Configuration.Sections;

/// <summary>
/// The optional <c>actions.shutdown</c> section (the action at the critical point without <c>actions.rules</c>, and the
/// defaults of a shutdown rule), and the same keys in a <c>do: shutdown</c> rule.
/// </summary>
internal static class ShutdownSection
{
    public static ShutdownActionOptions Read(SectionReader actions) =>
        ReadKeys(actions.Section(ShutdownActionOptions.ShutdownKey), new ShutdownActionOptions(), withEnabled: true)!;

    /// <param name="defaultsOnly">With actions.rules: these keys only give a shutdown rule its defaults.</param>
    public static void Print(ShutdownActionOptions shutdown, StringBuilder text, bool defaultsOnly = false)
    {
        text.AppendLine($"  {ShutdownActionOptions.ShutdownKey}:{(defaultsOnly ? "   # with rules: only the defaults of a shutdown rule; nothing else runs at the critical point" : string.Empty)}");
        Line(text, 2, "enabled", shutdown.Enabled ? "true" : "false");
        foreach (var (key, value) in Describe(shutdown))
        {
            Line(text, 2, key, value);
        }
    }

    /// <summary>delay, command and boot_grace as check-config prints them.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Describe(ShutdownActionOptions shutdown)
    {
        yield return new("delay", DurationParser.Format(shutdown.Delay));
        yield return new("command", shutdown.Command.Count > 0
            ? $"[{string.Join(", ", shutdown.Command)}]"
            : $"(the OS's: {string.Join(' ', HostPlatform.Current.Shutdown.Arguments(shutdown.Delay))})");
        yield return new("boot_grace", DurationParser.Format(shutdown.BootGrace));
    }

    public static IEnumerable<string> Warnings(ShutdownActionOptions shutdown)
    {
        if (HostPlatform.Current.Shutdown.RoundsUp(shutdown.Delay))
        {
            yield return $"{ShutdownActionOptions.SectionName}.delay: {DurationParser.Format(shutdown.Delay)} is rounded up to {Math.Ceiling(shutdown.Delay.TotalMinutes)} min, as shutdown takes whole minutes";
        }
    }

    /// <param name="defaults">What a key left out means: the built-in defaults, or actions.shutdown's for a rule.</param>
    /// <param name="withEnabled">Whether <c>enabled</c> is a key here (a rule is enabled by being listed).</param>
    public static ShutdownActionOptions ReadKeys(SectionReader section, ShutdownActionOptions defaults, bool withEnabled)
    {
        var enabled = withEnabled ? section.Bool("enabled") : null;
        var delay = section.Duration("delay", ShutdownActionOptions.MaxDelay);
        var commandIsScalar = section.IsScalar("command");
        var command = section.StringList("command");
        var bootGrace = section.Duration("boot_grace", ShutdownActionOptions.MaxBootGrace);
        if (withEnabled)
        {
            section.ReportUnknownKeys();
        }

        if (commandIsScalar && command is [var single] && single.Contains(' ', StringComparison.Ordinal))
        {
            section.Problem("command", $"{Quoted.Value(single)} is one string with spaces, and commands run without a shell: write it as a list, e.g. [\"/usr/sbin/shutdown\", \"-h\", \"+1\"]");
        }

        // An empty list must not fall back to the OS's shutdown: whoever wrote it meant some other command.
        if (command is [])
        {
            section.Problem("command", "is an empty list: list the program and its arguments, e.g. [\"/usr/local/bin/throttle\", \"on\"], or remove the key to use the OS's shutdown");
        }

        section.NotNegative("delay", delay);
        section.NotNegative("boot_grace", bootGrace);
        return new ShutdownActionOptions
        {
            Enabled = enabled ?? defaults.Enabled,
            Delay = delay ?? defaults.Delay,
            Command = command ?? defaults.Command,
            BootGrace = bootGrace ?? defaults.BootGrace,
        };
    }
}
