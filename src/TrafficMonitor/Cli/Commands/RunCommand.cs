using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TrafficMonitor.Configuration;
using TrafficMonitor.Hosting;
using TrafficMonitor.Monitoring;

namespace TrafficMonitor.Cli.Commands;

/// <summary><c>traffic-monitor [run] [--once] [--dry-run]</c>: the monitor itself, also what runs when no command is given.</summary>
internal static class RunCommand
{
    /// <summary>Gives <paramref name="root"/> the run options and action, and returns the <c>run</c> command that does the same.</summary>
    public static Command Create(RootCommand root, SettingsAction withSettings)
    {
        var once = new Option<bool>("--once") { Description = "Run one check, then exit (for cron): 0 when the check ran" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Send notifications marked as a dry run; run no action and save no state" };
        var action = withSettings((context, _) => RunAsync(context, context.Parse.GetValue(once), context.Parse.GetValue(dryRun)), logLoaded: true);
        root.Options.Add(once);
        root.Options.Add(dryRun);
        root.SetAction(action);

        var run = new Command("run", "Run the monitor until stopped (the default command)");
        run.Options.Add(once);
        run.Options.Add(dryRun);
        run.SetAction(action);
        return run;
    }

    private static async Task<int> RunAsync(CommandContext context, bool once, bool dryRun)
    {
        foreach (var warning in SettingsAdvisor.Warnings(context.Settings))
        {
            CliLog.SettingsWarning(context.Logger, warning);
        }

        var runMode = dryRun ? RunMode.DryRun : RunMode.Live;
        if (runMode.IsDryRun)
        {
            CliLog.DryRun(context.Logger);
        }

        return once
            ? await RunOnceAsync(context, runMode).ConfigureAwait(false)
            : await RunHostAsync(context, runMode).ConfigureAwait(false);
    }

    private static async Task<int> RunOnceAsync(CommandContext context, RunMode runMode)
    {
        await using var services = context.BuildServices(runMode);
        var result = await services.GetRequiredService<QuotaCheck>().RunAsync(CancellationToken.None).ConfigureAwait(false);
        return result.Outcome switch
        {
            CheckOutcome.Completed => ExitCodes.Success,
            CheckOutcome.UsageUnavailable => ExitCodes.UsageUnavailable,
            CheckOutcome.StateUnavailable => ExitCodes.StateUnavailable,
            _ => ExitCodes.ActionFailed,
        };
    }

    private static async Task<int> RunHostAsync(CommandContext context, RunMode runMode)
    {
        using var host = MonitorHost.Build(context.Settings, runMode, context.Level, context.ConfigureServices);
        await host.RunAsync().ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
