using System.Text;
using TrafficMonitor.Configuration.Yaml;
using TrafficMonitor.Platform;
using static TrafficMonitor.Configuration.Sections.SettingsText;

namespace TrafficMonitor.Configuration.Sections;

/// <summary>
/// The optional <c>actions.shutdown</c> section. Shutdown is the only action, so this file also owns the
/// <c>actions</c> section around it and reports that section's unknown keys.
/// </summary>
internal static class ShutdownSection
{
    public static ShutdownActionOptions Read(SectionReader top)
    {
        var actions = top.Section(ShutdownActionOptions.ActionsSectionName);
        var options = ReadShutdown(actions.Section(ShutdownActionOptions.ShutdownKey));
        actions.ReportUnknownKeys();
        return options;
    }

    public static void Print(ShutdownActionOptions shutdown, StringBuilder text)
    {
        text.AppendLine($"{ShutdownActionOptions.ActionsSectionName}:");
        text.AppendLine($"  {ShutdownActionOptions.ShutdownKey}:");
        Line(text, 2, "enabled", shutdown.Enabled ? "true" : "false");
        Line(text, 2, "delay", DurationParser.Format(shutdown.Delay));
        Line(text, 2, "command", shutdown.Command.Count > 0
            ? $"[{string.Join(", ", shutdown.Command)}]"
            : $"(the OS's: {string.Join(' ', HostPlatform.Current.Shutdown.Arguments(shutdown.Delay))})");
        Line(text, 2, "boot_grace", DurationParser.Format(shutdown.BootGrace));
    }

    public static IEnumerable<string> Warnings(ShutdownActionOptions shutdown)
    {
        if (HostPlatform.Current.Shutdown.RoundsUp(shutdown.Delay))
        {
            yield return $"{ShutdownActionOptions.SectionName}.delay: {DurationParser.Format(shutdown.Delay)} is rounded up to {Math.Ceiling(shutdown.Delay.TotalMinutes)} min, as shutdown takes whole minutes";
        }
    }

    private static ShutdownActionOptions ReadShutdown(SectionReader section)
    {
        var enabled = section.Bool("enabled");
        var delay = section.Duration("delay", ShutdownActionOptions.MaxDelay);
        var commandIsScalar = section.IsScalar("command");
        var command = section.StringList("command");
        var bootGrace = section.Duration("boot_grace", ShutdownActionOptions.MaxBootGrace);
        section.ReportUnknownKeys();
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
            Enabled = enabled ?? true,
            Delay = delay ?? ShutdownActionOptions.DefaultDelay,
            Command = command ?? [],
            BootGrace = bootGrace ?? ShutdownActionOptions.DefaultBootGrace,
        };
    }
}
