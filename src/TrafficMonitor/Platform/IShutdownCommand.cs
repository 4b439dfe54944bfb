namespace TrafficMonitor.Platform;

/// <summary>The operating system's own shutdown command, and how it treats the delay it is given.</summary>
public interface IShutdownCommand
{
    /// <summary>What logged-in users are told; the same text on every OS.</summary>
    const string WallMessage = "traffic-monitor: the monthly traffic quota's critical point was reached";

    /// <summary>The command, as an argument list run without a shell.</summary>
    IReadOnlyList<string> Arguments(TimeSpan delay);

    /// <summary>The delay the OS shutdown really waits.</summary>
    TimeSpan RoundedDelay(TimeSpan delay);

    /// <summary>Whether the OS shutdown would wait longer than <paramref name="delay"/>.</summary>
    bool RoundsUp(TimeSpan delay);
}
