using Microsoft.Extensions.Logging;
using TrafficMonitor.Configuration;
using TrafficMonitor.Platform;
using TrafficMonitor.State;
using TrafficMonitor.Hosting;

namespace TrafficMonitor.Monitoring;

/// <summary>
/// The monitor's state in memory, loaded once and written through to the state file. Near a threshold checks come
/// many times a second: a change of alerts, steps, period or health goes to disk at once, the usage figures alone (counted, rx, tx, source) wait
/// for the usual interval. A dry run or a read-only command writes nothing.
/// A state file that cannot be written never stops a check: the state stays in memory and goes to the runtime
/// directory instead (<see cref="StateFallback"/>), and <see cref="Problem"/> says why, for every check to report.
/// </summary>
public sealed partial class StateKeeper(
    StateStore store,
    StateFallback fallback,
    SystemBoot boot,
    RunMode runMode,
    MonitorOptions options,
    TimeProvider timeProvider,
    ILogger<StateKeeper> logger)
{
    private MonitorState? _state;
    private MonitorState? _saved;
    private DateTimeOffset? _savedAt;
    private DateTimeOffset? _problemSince;

    /// <summary>The state as last decided; read at first use.</summary>
    public MonitorState Current => _state ??= Load();

    /// <summary>Whether this process keeps the state (and so owns the state directory's requests): not a dry run or a look.</summary>
    public bool KeepsState => runMode.KeepsState;

    /// <summary>Why the state file cannot be kept right now; null when it can.</summary>
    public string? Problem { get; private set; }

    /// <summary>
    /// The state file cannot be kept, was last written before this boot, and this boot left no record of its own: the
    /// last runs of the enforcement steps may be missing from what was read.
    /// </summary>
    public bool HistoryUnknown { get; private set; }

    /// <summary>Where the state goes while the state file cannot be written.</summary>
    public string FallbackPath => fallback.FilePath;

    /// <summary>Keeps <paramref name="state"/> as the current state and writes it when it matters; never throws.</summary>
    public void Update(MonitorState state)
    {
        _state = state;
        if (!runMode.KeepsState)
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        if (_saved is not null && WithoutUsageFigure(_saved) == WithoutUsageFigure(state) && _savedAt is { } last && now - last < options.CheckInterval)
        {
            return;
        }

        Write(state, now);
        _saved = state;
        _savedAt = now;
    }

    private MonitorState Load()
    {
        MonitorState? read = null;
        try
        {
            read = store.Load();
        }
        catch (StateException e)
        {
            Fail(e.Message, timeProvider.GetUtcNow());
        }

        // A record of this boot is newer than the state file whenever the file could not be written since.
        var kept = fallback.Peek();
        var state = kept is not null && StateFallback.IsNewer(kept, read) ? kept.State : read ?? new MonitorState();
        if (runMode.KeepsState && Problem is null)
        {
            // Find out now, before anything is decided, whether what is decided can be kept.
            Write(state, timeProvider.GetUtcNow());
        }

        // A state file last written before this boot may lack what the boot before did while it could not be written
        // (its record under /run is gone); one written in this boot lacks nothing, or this boot's record would exist.
        HistoryUnknown = Problem is not null && kept is null && !(read?.Health.LastCheckAt >= boot.BootedAt);
        if (kept is not null && Problem is not null)
        {
            LogUsingFallback(fallback.FilePath, Iso8601.Time(kept.Since));
        }

        return state;
    }

    private void Write(MonitorState state, DateTimeOffset now)
    {
        try
        {
            store.Save(state);
            Problem = null;
            _problemSince = null;
        }
        catch (StateException e)
        {
            Fail(e.Message, now);
            try
            {
                fallback.Save(state, e.Message, _problemSince!.Value);
            }
            catch (StateException fallbackError)
            {
                LogFallbackFailed(fallbackError.Message);
            }
        }
    }

    private void Fail(string problem, DateTimeOffset now)
    {
        Problem = problem;
        _problemSince ??= now;
    }

    private static MonitorState WithoutUsageFigure(MonitorState state) =>
        state with { Health = state.Health with { LastCheckAt = null, LastCountedBytes = null, LastReading = null } };

    [LoggerMessage(EventId = LogEvents.StateUsingFallback, Level = LogLevel.Warning,
        Message = "The state directory could not be written earlier in this boot: carrying on from the record kept in {Path} since {Since}")]
    private partial void LogUsingFallback(string path, string since);

    [LoggerMessage(EventId = LogEvents.StateFallbackFailed, Level = LogLevel.Error,
        Message = "The state cannot be kept in the runtime directory either ({Reason}): a restart in this boot will not know what this process sent and did")]
    private partial void LogFallbackFailed(string reason);
}
