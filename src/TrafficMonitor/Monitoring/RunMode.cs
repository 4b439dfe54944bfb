namespace TrafficMonitor.Monitoring;

/// <summary>How far this process may touch the world: act and remember, pretend, or only look.</summary>
public sealed class RunMode
{
    private RunMode(string name, bool isDryRun, bool keepsState)
    {
        Name = name;
        IsDryRun = isDryRun;
        KeepsState = keepsState;
    }

    /// <summary>The monitor: acts, and keeps its state, ledger and outbox on disk.</summary>
    public static RunMode Live { get; } = new("live", isDryRun: false, keepsState: true);

    /// <summary><c>--dry-run</c>: notifications go out marked as a dry run; no action runs and nothing is saved.</summary>
    public static RunMode DryRun { get; } = new("dry run", isDryRun: true, keepsState: false);

    /// <summary>A command that only looks (status, set-usage, test-notify): reads what is there, writes no state, ledger or outbox.</summary>
    public static RunMode ReadOnly { get; } = new("read-only", isDryRun: false, keepsState: false);

    public string Name { get; }

    /// <summary>Messages are marked as a dry run, and actions are only logged.</summary>
    public bool IsDryRun { get; }

    /// <summary>State, ledger and outbox are written to the state directory.</summary>
    public bool KeepsState { get; }

    public override string ToString() => Name;
}
