using System.CommandLine;
using TrafficMonitor.Enforcement;

namespace TrafficMonitor.Cli.Commands;

/// <summary><c>pause [--until TIME]</c>: holds every enforcement step (steps in force are undone); alerts still go out.</summary>
internal static class PauseCommand
{
    public static Command Create(SettingsAction withSettings)
    {
        var until = new Option<string?>("--until") { Description = "End the pause by itself at this time (2026-12-01T08:00, local) or after this long (2h, 3d)" };
        var command = new Command("pause", "Hold every enforcement step: steps in force are undone and none is applied until resume (alerts still go out)");
        command.Options.Add(until);
        command.SetAction(withSettings(async (context, _) =>
        {
            DateTimeOffset? end = null;
            if (context.Parse.GetValue(until) is { } text)
            {
                var time = TimeProvider.System;
                if (!EnforcementControl.TryParseUntil(text, time.GetUtcNow(), out var parsed, out var problem))
                {
                    await context.Error.WriteLineAsync($"traffic-monitor: pause {problem}").ConfigureAwait(false);
                    return ExitCodes.BadCommandLine;
                }

                end = parsed;
            }

            return await EnforcementControl.RequestAsync(context, EnforcementCommand.Pause, end).ConfigureAwait(false);
        }));
        return command;
    }
}
