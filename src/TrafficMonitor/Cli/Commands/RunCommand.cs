using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using TrafficMonitor.Configuration;
using TrafficMonitor.Hosting;
using TrafficMonitor.Hosting.Systemd;
using TrafficMonitor.Monitoring;
using TrafficMonitor.State;

namespace TrafficMonitor.Cli.Commands;

/// <summary><c>traffic-monitor [run] [--once] [--dry-run]</c>: the monitor itself, also what runs when no command is given.</summary>
internal static class RunCommand
{
    /// <summary>How long <c>--once</c> waits for another <c>--once</c> (overlapping cron jobs) to finish its check.</summary>
    internal static readonly TimeSpan OnceWait = TimeSpan.FromSeconds(10);

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

        // A terminal's hang-up must not end a check half way through its action; the daemon reloads on it instead.
        using var hangup = once && !OperatingSystem.IsWindows()
            ? PosixSignalRegistration.Create(PosixSignal.SIGHUP, signal =>
            {
                signal.Cancel = true;
                CliLog.HangupIgnored(context.Logger);
            })
            : null;

        // A dry run saves nothing, so it cannot make the owner repeat anything, and its messages are marked: it takes
        // no lock, so it can try new settings beside the running monitor, and a forgotten one never locks the real one out.
        StateDirectoryLock? owner = null;
        if (!runMode.IsDryRun)
        {
            owner = await AcquireAsync(context, once).ConfigureAwait(false);
            if (owner is null)
            {
                return once ? ExitCodes.Success : ExitCodes.AlreadyRunning;
            }
        }

        using (owner)
        {
            return once
                ? await RunOnceAsync(context, runMode).ConfigureAwait(false)
                : await RunDaemonAsync(context, runMode).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The state directory's lock, held until this process exits (across reloads); null when another process owns the
    /// directory. <c>--once</c> waits up to <see cref="OnceWait"/> for another <c>--once</c>, not for a daemon.
    /// </summary>
    private static async Task<StateDirectoryLock?> AcquireAsync(CommandContext context, bool once)
    {
        var stateDirectory = context.Settings.Monitor.StateDir;
        var runtimeDirectories = StateDirectoryLock.DefaultRuntimeDirectories(context.GetEnvironment);
        var waiting = Stopwatch.StartNew();
        while (true)
        {
            var (owned, holder) = StateDirectoryLock.TryAcquire(stateDirectory, once ? "once" : "run", runtimeDirectories, context.Logger);
            if (owned is not null)
            {
                return owned;
            }

            if (once && holder!.Command != "run" && waiting.Elapsed < OnceWait)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200)).ConfigureAwait(false);
                continue;
            }

            if (once)
            {
                CliLog.OnceSkipped(context.Logger, holder!.ToString(), stateDirectory);
            }
            else
            {
                CliLog.AlreadyRunning(context.Logger, holder!.ToString(), stateDirectory, ExitCodes.AlreadyRunning);
            }

            return null;
        }
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

    private static async Task<int> RunDaemonAsync(CommandContext context, RunMode runMode)
    {
        using var notifier = SystemdNotifier.FromEnvironment(context.GetEnvironment, Environment.ProcessId, context.Logger);
        var daemon = new MonitorDaemon(
            context.Settings,
            runMode,
            settings => MonitorHost.Build(settings, runMode, context.Level, services =>
            {
                services.AddSingleton(notifier);
                context.ConfigureServices?.Invoke(services);
            }),
            context.LoadSettings,
            context.Logger,
            notifier);
        await daemon.RunAsync().ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
