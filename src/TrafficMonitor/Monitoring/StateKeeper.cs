using TrafficMonitor.Configuration;
using TrafficMonitor.State;

namespace TrafficMonitor.Monitoring;

/// <summary>
/// The monitor's state in memory, loaded once and written through to the state file. Near a threshold checks come
/// many times a second: a change of alerts, steps, period or health goes to disk at once, the usage figure alone waits
/// for the usual interval. A dry run or a read-only command writes nothing.
/// </summary>
public sealed class StateKeeper(StateStore store, RunMode runMode, MonitorOptions options, TimeProvider timeProvider)
{
    private MonitorState? _state;
    private MonitorState? _saved;
    private DateTimeOffset? _savedAt;

    /// <summary>The state as last decided; read from the file at first use.</summary>
    public MonitorState Current => _state ??= store.Load();

    /// <summary>Keeps <paramref name="state"/> as the current state and writes it when it matters.</summary>
    /// <exception cref="StateException">The state file cannot be written; the state is still kept in memory.</exception>
    public void Update(MonitorState state)
    {
        _state = state;
        if (!runMode.KeepsState)
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        if (_saved is null || WithoutUsageFigure(_saved) != WithoutUsageFigure(state) || _savedAt is null || now - _savedAt >= options.CheckInterval)
        {
            store.Save(state);
            _saved = state;
            _savedAt = now;
        }
    }

    private static MonitorState WithoutUsageFigure(MonitorState state) =>
        state with { Health = state.Health with { LastCheckAt = null, LastCountedBytes = null } };
}
