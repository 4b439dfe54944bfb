using Microsoft.Extensions.Logging;
using TrafficMonitor.Hosting;

namespace TrafficMonitor.State;

/// <summary>Keeps <see cref="MonitorState"/> in one small JSON file in the state directory.</summary>
public sealed partial class StateStore(string stateDirectory, TimeProvider timeProvider, ILogger<StateStore> logger)
{
    public const string FileName = "state.json";

    private readonly JsonStateFile<MonitorState> _file = new(
        Path.Combine(stateDirectory, FileName),
        () => StateJsonContext.Default.MonitorState,
        "the state file",
        state => state switch
        {
            { Version: > MonitorState.CurrentVersion } => $"written by a newer version (state version {state.Version})",
            _ => null,
        },
        StateMigration.Read);

    public string FilePath => _file.FilePath;

    /// <summary>
    /// Reads the saved state, or an empty one when there is none. A file that cannot be parsed is moved aside
    /// (kept for inspection) with a warning: the monitor carries on rather than crash.
    /// </summary>
    public MonitorState Load()
    {
        var read = _file.Read();
        if (read.Status == StateFileStatus.Damaged)
        {
            LogStateUnreadable(FilePath, _file.MoveAside(timeProvider.GetUtcNow(), "unreadable"), read.Damage!);
        }

        return read.Document ?? new MonitorState();
    }

    /// <summary>Reads the saved state for display only: an unreadable file is left where it is.</summary>
    public MonitorState Peek() => _file.Peek() ?? new MonitorState();

    public void Save(MonitorState state) => _file.Write(state);

    [LoggerMessage(EventId = LogEvents.StateUnreadable, Level = LogLevel.Warning,
        Message = "State file {Path} could not be read ({Reason}); moved it to {MovedTo} and starting this period's state afresh: stages already sent may be sent again")]
    private partial void LogStateUnreadable(string path, string movedTo, string reason);
}

/// <summary>A state file cannot be read or written (permissions, disk); the message says what to do.</summary>
public sealed class StateException(string message, Exception inner) : Exception(message, inner);
