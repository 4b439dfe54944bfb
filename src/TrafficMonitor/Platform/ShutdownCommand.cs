using System.Globalization;

namespace TrafficMonitor.Platform;

/// <summary>The operating system's own shutdown command, and how it treats the delay it is given.</summary>
public static class ShutdownCommand
{
    private const string WallMessage = "traffic-monitor: the monthly traffic quota's critical point was reached";

    /// <summary>
    /// The OS shutdown command. Unix shutdown takes whole minutes, so the delay rounds up: a delay of 30s must not
    /// become "+0", an immediate shutdown, as it did in the original tool.
    /// </summary>
    public static IReadOnlyList<string> Default(TimeSpan delay)
    {
        if (OperatingSystem.IsWindows())
        {
            var seconds = ((long)Math.Ceiling(Math.Max(0, delay.TotalSeconds))).ToString(CultureInfo.InvariantCulture);
            return ["shutdown", "/s", "/t", seconds, "/c", WallMessage];
        }

        var when = delay <= TimeSpan.Zero ? "now" : $"+{(long)RoundedDelay(delay).TotalMinutes}";
        return ["shutdown", "-h", when, WallMessage];
    }

    /// <summary>The delay the OS shutdown really waits.</summary>
    public static TimeSpan RoundedDelay(TimeSpan delay) =>
        OperatingSystem.IsWindows() ? delay : TimeSpan.FromMinutes(Math.Ceiling(delay.TotalMinutes));

    /// <summary>Whether the OS shutdown would wait longer than <paramref name="delay"/> (Unix rounds up to whole minutes).</summary>
    public static bool RoundsUp(TimeSpan delay) =>
        !OperatingSystem.IsWindows() && delay > TimeSpan.Zero && delay.TotalSeconds % 60 != 0;
}
