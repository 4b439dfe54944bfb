using System.Text;
using TrafficMonitor.Configuration.Yaml;
using static TrafficMonitor.Configuration.Sections.SettingsText;

namespace TrafficMonitor.Configuration.Sections;

/// <summary>The optional <c>vnstat</c> section: how to call vnStat.</summary>
internal static class VnStatSection
{
    public static VnStatOptions Read(SectionReader top)
    {
        var section = top.Section(VnStatOptions.SectionName);
        var command = section.String("command");
        var dbDir = section.NonBlankString("dbdir", "name vnStat's database directory, or remove the key for vnStat's default");
        var config = section.NonBlankString("config", "name vnStat's configuration file, or remove the key for vnStat's default");
        section.ReportUnknownKeys();
        if (command is not null && string.IsNullOrWhiteSpace(command))
        {
            section.Problem("command", "is empty: name the vnstat program, e.g. vnstat or /usr/bin/vnstat");
        }

        return new VnStatOptions
        {
            Command = string.IsNullOrWhiteSpace(command) ? VnStatOptions.DefaultCommand : command,
            DbDir = dbDir,
            Config = config,
        };
    }

    public static void Print(VnStatOptions vnstat, StringBuilder text)
    {
        text.AppendLine("vnstat:");
        Line(text, 1, "command", vnstat.Command);
        Line(text, 1, "dbdir", vnstat.DbDir ?? "(vnStat's default)");
        Line(text, 1, "config", vnstat.Config ?? "(vnStat's default)");
    }
}
