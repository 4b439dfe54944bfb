using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using TrafficMonitor.Configuration;
using TrafficMonitor.Enforcement;
using TrafficMonitor.Monitoring;
using TrafficMonitor.Quota;
using TrafficMonitor.State;

namespace TrafficMonitor.Cli.Commands;

/// <summary>
/// What <c>pause</c>, <c>resume</c> and <c>revert-all</c> share: while a monitor owns the state directory, the request
/// goes to it as a side file it carries out at its next check (as <c>set-usage</c> hands over a calibration); when none
/// does (the lock is free), the command takes the lock and acts itself: it records the hold and undoes what is in force.
/// </summary>
internal static class EnforcementControl
{
    public static async Task<int> RequestAsync(CommandContext context, EnforcementCommand command, DateTimeOffset? until)
    {
        var (settings, output, error) = (context.Settings, context.Output, context.Error);
        var name = CommandName(command);
        var stateDirectory = settings.Monitor.StateDir;
        var (owned, holder) = StateDirectoryLock.TryAcquire(
            stateDirectory, name, StateDirectoryLock.DefaultRuntimeDirectories(context.GetEnvironment), context.Logger);
        if (owned is null)
        {
            // Handing the request over needs only its file: no container (see CommandParts).
            using var parts = context.Parts();
            try
            {
                parts.EnforcementRequests.Save(new EnforcementRequest(command, until, parts.Time.GetUtcNow()));
            }
            catch (StateException e)
            {
                await error.WriteLineAsync($"traffic-monitor: {name}: {e.Message}").ConfigureAwait(false);
                return ExitCodes.StateUnavailable;
            }

            await output.WriteLineAsync(
                $"{holder} owns the state directory: it carries out '{name}' at its next check (within {DurationParser.Format(settings.Monitor.CheckInterval)}), " +
                "and its log and 'traffic-monitor status' say so.").ConfigureAwait(false);
            return ExitCodes.Success;
        }

        using (owned)
        {
            // Acting undoes steps and notifies: the whole pipeline.
            await using var services = context.BuildServices(RunMode.Live);
            var request = new EnforcementRequest(command, until, services.GetRequiredService<TimeProvider>().GetUtcNow());
            return await ActAsync(context, services, request, name).ConfigureAwait(false);
        }
    }

    private static async Task<int> ActAsync(CommandContext context, ServiceProvider services, EnforcementRequest request, string name)
    {
        var (output, error) = (context.Output, context.Error);
        var store = services.GetRequiredService<StateStore>();
        var now = request.RequestedAt;
        // A request left for a monitor that stopped before taking it is overtaken by this one.
        services.GetRequiredService<EnforcementRequests>().Take();
        MonitorState state;
        try
        {
            state = request.ApplyTo(store.Load(), now);
        }
        catch (StateException e)
        {
            await error.WriteLineAsync($"traffic-monitor: {name}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.StateUnavailable;
        }

        List<string> undone = [];
        IReadOnlyList<string> failures = [];
        if (request.Command != EnforcementCommand.Resume)
        {
            var inForce = EnforcementPolicy.InForce(state);
            (state, failures) = await services.GetRequiredService<Enforcer>().RevertEverythingAsync(state, now).ConfigureAwait(false);
            undone = inForce.Except(EnforcementPolicy.InForce(state)).ToList();
        }

        try
        {
            store.Save(state);
        }
        catch (StateException e)
        {
            await error.WriteLineAsync($"traffic-monitor: {name}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.StateUnavailable;
        }

        var undoneText = undone.Count == 0 ? "nothing was in force" : $"undone: {string.Join(", ", undone)}";
        await output.WriteLineAsync(request.Command switch
        {
            EnforcementCommand.Pause => $"Enforcement paused {Until(request.Until)} ({undoneText}). No step is applied while paused; alerts still go out when the monitor runs.",
            EnforcementCommand.RevertAll => $"Every step is undone ({undoneText}) and enforcement is held until 'traffic-monitor resume'. To uninstall, stop the monitor and remove {context.Settings.Monitor.StateDir}.",
            _ => "Enforcement resumed: each step applies again, at the next check, where usage is over its point.",
        }).ConfigureAwait(false);
        foreach (var failure in failures)
        {
            await error.WriteLineAsync($"traffic-monitor: {name}: could not undo {failure}. It stays recorded as in force; run '{name}' again, or undo it by hand (docs/enforcement.md)").ConfigureAwait(false);
        }

        return failures.Count == 0 ? ExitCodes.Success : ExitCodes.ActionFailed;
    }

    public static string Until(DateTimeOffset? until) => until is { } time ? $"until {Iso8601.Time(time)} (or 'traffic-monitor resume')" : "until 'traffic-monitor resume'";

    private static string CommandName(EnforcementCommand command) => command switch
    {
        EnforcementCommand.Pause => "pause",
        EnforcementCommand.RevertAll => "revert-all",
        _ => "resume",
    };

    /// <summary>
    /// <c>--until</c>: a time (<c>2026-12-01T08:00</c>, local unless it names its offset, as the admin reads the clock
    /// on the wall; a date means its local midnight) or a duration from now (<c>2h</c>, <c>3d</c>), at most a billing period ahead.
    /// </summary>
    public static bool TryParseUntil(string text, DateTimeOffset now, out DateTimeOffset until, out string problem)
    {
        until = default;
        problem = string.Empty;
        var maximum = TimeSpan.FromDays(31);
        if (DurationParser.TryParse(text, maximum, out var duration, out _) && duration > TimeSpan.Zero)
        {
            until = now + duration;
            return true;
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var parsed))
        {
            problem = $"--until: {Quoted.Value(text)} is neither a time (2026-12-01T08:00, 2026-12-01) nor a duration (2h, 3d)";
            return false;
        }

        if (parsed <= now || parsed - now > maximum)
        {
            problem = $"--until: {Iso8601.Time(parsed)} is {(parsed <= now ? "not in the future" : "more than 31 days ahead")}: pause without --until to hold until 'traffic-monitor resume'";
            return false;
        }

        until = parsed;
        return true;
    }
}
