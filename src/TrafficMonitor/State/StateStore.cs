using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace TrafficMonitor.State;

/// <summary>Keeps <see cref="MonitorState"/> in one small JSON file in the state directory.</summary>
public sealed partial class StateStore(string stateDirectory, TimeProvider timeProvider, ILogger<StateStore> logger)
{
    public const string FileName = "state.json";

    public string FilePath { get; } = Path.Combine(stateDirectory, FileName);

    /// <summary>
    /// Reads the saved state, or an empty one when there is none. A file that cannot be parsed is moved aside
    /// (kept for inspection) with a warning: the monitor carries on rather than crash.
    /// </summary>
    public MonitorState Load()
    {
        byte[] content;
        try
        {
            content = File.ReadAllBytes(FilePath);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new MonitorState();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateException($"cannot read the state file {FilePath}: {e.Message}. Run as the user that owns it, or set monitor.state_dir to a directory this user can write", e);
        }

        try
        {
            var state = JsonSerializer.Deserialize(content, StateJsonContext.Default.MonitorState);
            if (state is null || state.Version > MonitorState.CurrentVersion)
            {
                throw new JsonException(state is null ? "empty document" : $"written by a newer version (state version {state.Version})");
            }

            return state;
        }
        catch (JsonException e)
        {
            var aside = $"{FilePath}.unreadable-{timeProvider.GetUtcNow():yyyyMMddTHHmmssZ}";
            File.Move(FilePath, aside, overwrite: true);
            LogStateUnreadable(FilePath, aside, e.Message);
            return new MonitorState();
        }
    }

    /// <summary>Reads the saved state for display only: an unreadable file is left where it is.</summary>
    public MonitorState Peek()
    {
        try
        {
            return File.Exists(FilePath)
                ? JsonSerializer.Deserialize(File.ReadAllBytes(FilePath), StateJsonContext.Default.MonitorState) ?? new MonitorState()
                : new MonitorState();
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return new MonitorState();
        }
    }

    public void Save(MonitorState state)
    {
        try
        {
            AtomicFile.Write(FilePath, JsonSerializer.SerializeToUtf8Bytes(state, StateJsonContext.Default.MonitorState));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateException($"cannot write the state file {FilePath}: {e.Message}. Run as a user that can write there, or set monitor.state_dir", e);
        }
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning,
        Message = "State file {Path} could not be read ({Reason}); moved it to {MovedTo} and starting this period's state afresh: stages already sent may be sent again")]
    private partial void LogStateUnreadable(string path, string movedTo, string reason);
}

/// <summary>The state file cannot be read or written (permissions, disk); the message says what to do.</summary>
public sealed class StateException(string message, Exception inner) : Exception(message, inner);
