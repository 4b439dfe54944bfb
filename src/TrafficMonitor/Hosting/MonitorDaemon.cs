using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TrafficMonitor.Configuration;
using TrafficMonitor.Hosting.Systemd;
using TrafficMonitor.Monitoring;
using TrafficMonitor.State;

namespace TrafficMonitor.Hosting;

/// <summary>
/// The daemon: runs a host for the current settings until SIGTERM or SIGINT. SIGHUP re-reads the settings file from
/// the path it was loaded from: a valid file stops the current host gracefully (the check in progress finishes,
/// delivery of what is under way is awaited, the ledger is flushed) and the next host starts on the new settings with
/// the state, outbox and action record the first one left on disk; an invalid file is logged problem by problem and
/// the running settings stay. What must survive a reload lives outside the host: the process identity
/// (<see cref="ProcessIdentity.Current"/>), the state directory's lock (held by the caller) and the service manager's
/// notifier (READY after each host's first check, RELOADING on SIGHUP, STOPPING, the watchdog).
/// </summary>
/// <param name="buildHost">Builds the host for one set of settings.</param>
/// <param name="load">Reads and validates the settings file at a path; throws <see cref="ConfigException"/>.</param>
public sealed partial class MonitorDaemon(
    TrafficMonitorSettings settings,
    RunMode runMode,
    Func<TrafficMonitorSettings, IHost> buildHost,
    Func<string, TrafficMonitorSettings> load,
    ILogger logger,
    SystemdNotifier? notifier = null)
{
    private readonly SystemdNotifier _notifier = notifier ?? SystemdNotifier.None;

    /// <summary>Runs until SIGTERM/SIGINT (or the host stops by itself).</summary>
    public async Task RunAsync()
    {
        var reloads = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        using var stopping = new CancellationTokenSource();
        // Registered for the whole run, not per host: a signal between two hosts is neither lost nor fatal. Each host's
        // console lifetime also handles SIGTERM/SIGINT while it runs.
        using var hangup = Register(PosixSignal.SIGHUP, () => reloads.Writer.TryWrite(true));
        using var terminate = Register(PosixSignal.SIGTERM, stopping.Cancel);
        using var interrupt = Register(PosixSignal.SIGINT, stopping.Cancel);
        // The watchdog proves the process is alive and scheduling, reloads included; each check is bounded by its own timeouts.
        using var watchdogStop = new CancellationTokenSource();
        var watchdog = _notifier.RunWatchdogAsync(TimeProvider.System, watchdogStop.Token);
        try
        {
            await RunHostsAsync(reloads.Reader, stopping.Token).ConfigureAwait(false);
        }
        finally
        {
            await watchdogStop.CancelAsync().ConfigureAwait(false);
            await watchdog.ConfigureAwait(false);
        }
    }

    private async Task RunHostsAsync(ChannelReader<bool> reloads, CancellationToken stopping)
    {
        var current = settings;
        MonitorState? carried = null;
        while (!stopping.IsCancellationRequested)
        {
            using var host = buildHost(current);
            if (carried is not null)
            {
                // A dry run keeps its state in memory only: hand it over, or a reload would announce every stage again.
                host.Services.GetRequiredService<StateKeeper>().Update(carried);
            }

            var next = await RunUntilReloadAsync(host, current, reloads, stopping).ConfigureAwait(false);
            if (next is null)
            {
                return;
            }

            carried = runMode.KeepsState ? null : host.Services.GetRequiredService<StateKeeper>().Current;
            current = next;
        }
    }

    /// <summary>Runs <paramref name="host"/> until a stop, or a SIGHUP that reads valid settings; stops it gracefully either way.</summary>
    /// <returns>The new settings, or null when the daemon is to stop.</returns>
    private async Task<TrafficMonitorSettings?> RunUntilReloadAsync(
        IHost host, TrafficMonitorSettings current, ChannelReader<bool> reloads, CancellationToken stopping)
    {
        await host.StartAsync(CancellationToken.None).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(
            host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping, stopping);
        TrafficMonitorSettings? next = null;
        try
        {
            while (next is null)
            {
                await reloads.ReadAsync(stop.Token).ConfigureAwait(false);
                _notifier.Reloading();
                next = TryLoad(current);
                if (next is null)
                {
                    _notifier.ReloadRefused($"The settings in {current.SourcePath} were not reloaded (see the log): the running settings stay");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        if (next is null)
        {
            _notifier.Stopping();
        }

        await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return next;
    }

    /// <summary>The settings file read again; null (every problem logged) when it cannot be used.</summary>
    internal TrafficMonitorSettings? TryLoad(TrafficMonitorSettings current)
    {
        var path = current.SourcePath;
        TrafficMonitorSettings next;
        try
        {
            next = load(path);
        }
        catch (ConfigException e)
        {
            foreach (var problem in e.Problems)
            {
                LogReloadProblem(path, problem.ToString());
            }

            LogReloadRefused(path, e.Problems.Count);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogReloadProblem(path, e.Message);
            LogReloadRefused(path, 1);
            return null;
        }

        if (!SameDirectory(current.Monitor.StateDir, next.Monitor.StateDir))
        {
            // This process owns (and holds the lock of) the state directory it started with.
            LogStateDirectoryChanged(path, current.Monitor.StateDir, next.Monitor.StateDir);
            return null;
        }

        var changed = ChangedSections(current, next);
        LogReloaded(path, changed.Count == 0 ? "no setting that check-config shows changed" : $"changed: {string.Join(", ", changed)}");
        foreach (var warning in SettingsAdvisor.Warnings(next))
        {
            LogSettingsWarning(warning);
        }

        return next;
    }

    /// <summary>The top-level sections whose effective values (as check-config prints them, secrets masked) differ.</summary>
    internal static IReadOnlyList<string> ChangedSections(TrafficMonitorSettings before, TrafficMonitorSettings after)
    {
        var old = Sections(SettingsPrinter.Format(before));
        var now = Sections(SettingsPrinter.Format(after));
        return [.. old.Keys.Union(now.Keys).Where(k => old.GetValueOrDefault(k) != now.GetValueOrDefault(k))];
    }

    private static Dictionary<string, string> Sections(string printed)
    {
        var sections = new Dictionary<string, string>(StringComparer.Ordinal);
        string? name = null;
        foreach (var line in printed.Split('\n'))
        {
            if (line.Length > 0 && !char.IsWhiteSpace(line[0]) && !line.StartsWith('#'))
            {
                name = line.TrimEnd().TrimEnd(':').Split(':')[0];
                sections[name] = line;
            }
            else if (name is not null)
            {
                sections[name] += "\n" + line;
            }
        }

        return sections;
    }

    private static bool SameDirectory(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)), StringComparison.Ordinal);

    private static PosixSignalRegistration? Register(PosixSignal signal, Action handle) =>
        OperatingSystem.IsWindows()
            ? null
            : PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                handle();
            });

    [LoggerMessage(EventId = LogEvents.SettingsReloaded, Level = LogLevel.Information,
        Message = "Settings reloaded from {Path} ({Changes}): the checks go on with them from the next one, with the same state, outbox and action record")]
    private partial void LogReloaded(string path, string changes);

    [LoggerMessage(EventId = LogEvents.ReloadProblem, Level = LogLevel.Error, Message = "Reloading {Path}: {Problem}")]
    private partial void LogReloadProblem(string path, string problem);

    [LoggerMessage(EventId = LogEvents.ReloadRefused, Level = LogLevel.Error,
        Message = "The settings in {Path} were not reloaded ({Count} problem(s) above): the running settings stay. Fix the file and send SIGHUP again (systemctl reload traffic-monitor)")]
    private partial void LogReloadRefused(string path, int count);

    [LoggerMessage(EventId = LogEvents.ReloadStateDirectoryChanged, Level = LogLevel.Error,
        Message = "The settings in {Path} were not reloaded: monitor.state_dir changed from {Running} to {New}, and a reload cannot move the state. The running settings stay; restart the monitor to use the new directory")]
    private partial void LogStateDirectoryChanged(string path, string running, string @new);

    [LoggerMessage(EventId = LogEvents.ReloadSettingsWarning, Level = LogLevel.Warning, Message = "Settings: {Warning}")]
    private partial void LogSettingsWarning(string warning);
}
