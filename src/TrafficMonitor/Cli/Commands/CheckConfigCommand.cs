using System.CommandLine;
using TrafficMonitor.Configuration;

namespace TrafficMonitor.Cli.Commands;

/// <summary><c>check-config</c>: the settings as the monitor will use them, secrets masked, then any warnings.</summary>
internal static class CheckConfigCommand
{
    public static Command Create(SettingsAction withSettings)
    {
        var command = new Command("check-config", "Validate the settings and print the effective values, secrets masked");
        command.SetAction(withSettings((context, _) => PrintAsync(context)));
        return command;
    }

    private static async Task<int> PrintAsync(CommandContext context)
    {
        var (settings, output) = (context.Settings, context.Output);
        await output.WriteLineAsync($"# {settings.SourcePath}: valid").ConfigureAwait(false);
        await output.WriteAsync(SettingsPrinter.Format(settings)).ConfigureAwait(false);
        var warnings = SettingsAdvisor.Warnings(settings);
        if (warnings.Count > 0)
        {
            await output.WriteLineAsync("# warnings:").ConfigureAwait(false);
            foreach (var warning in warnings)
            {
                await output.WriteLineAsync($"#   {warning}").ConfigureAwait(false);
            }
        }

        return ExitCodes.Success;
    }
}
