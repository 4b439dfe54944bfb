using System.CommandLine;
using TrafficMonitor.Enforcement;

namespace TrafficMonitor.Cli.Commands;

/// <summary><c>resume</c>: ends a pause (or the hold revert-all left); steps apply again where usage is over their points.</summary>
internal static class ResumeCommand
{
    public static Command Create(SettingsAction withSettings)
    {
        var command = new Command("resume", "End a pause or revert-all: each step applies again where usage is over its point");
        command.SetAction(withSettings((context, _) => EnforcementControl.RequestAsync(context, EnforcementCommand.Resume, null)));
        return command;
    }
}
