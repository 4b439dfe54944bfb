using System.CommandLine;
using TrafficMonitor.Enforcement;

namespace TrafficMonitor.Cli.Commands;

/// <summary><c>revert-all</c>: undoes every enforcement step in force, configured or not, and holds until resume (for uninstalling).</summary>
internal static class RevertAllCommand
{
    public static Command Create(SettingsAction withSettings)
    {
        var command = new Command("revert-all", "Undo every enforcement step in force and hold the ladder until resume (before uninstalling)");
        command.SetAction(withSettings((context, _) => EnforcementControl.RequestAsync(context, EnforcementCommand.RevertAll, null)));
        return command;
    }
}
