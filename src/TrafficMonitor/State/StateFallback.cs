namespace TrafficMonitor.State;

/// <summary>The state as last decided while the state file could not be written, and why it could not.</summary>
public sealed record FallbackRecord(string StateDirectory, string Problem, DateTimeOffset Since, MonitorState State);

/// <summary>
/// Keeps the state under the runtime directory when the state directory cannot be written (remounted read-only after
/// filesystem errors, or full), keyed by the state directory: a <c>--once</c> or a restarted daemon in the same boot
/// then knows what this process sent and did. Gone at the next boot, by design: /run is a tmpfs.
/// </summary>
public sealed class StateFallback(string stateDirectory, string runtimeDirectory)
{
    private readonly JsonStateFile<FallbackRecord> _file = new(
        Path.Combine(runtimeDirectory, $"state-{RuntimeDirectory.KeyFor(stateDirectory)}.json"),
        () => StateJsonContext.Default.FallbackRecord,
        "the fallback state record",
        record => record.State.Version > MonitorState.CurrentVersion ? $"written by a newer version (state version {record.State.Version})" : null);

    public string FilePath => _file.FilePath;

    /// <summary>The record of this boot, or null when there is none (or it cannot be read).</summary>
    public FallbackRecord? Peek() => _file.Peek();

    /// <summary>
    /// The record of this boot when it is newer than <paramref name="saved"/> (the state file, null when it could not
    /// be read): it is written only while the state file cannot be, so then it is what was last decided.
    /// </summary>
    public FallbackRecord? NewerThan(MonitorState? saved) => Peek() is { } kept && IsNewer(kept, saved) ? kept : null;

    public static bool IsNewer(FallbackRecord record, MonitorState? saved) =>
        saved is null || record.State.Health.LastCheckAt > saved.Health.LastCheckAt;

    /// <exception cref="StateException">The runtime directory cannot be written either.</exception>
    public void Save(MonitorState state, string problem, DateTimeOffset since)
    {
        _file.Write(new FallbackRecord(Path.GetFullPath(stateDirectory), problem, since, state));
    }
}
