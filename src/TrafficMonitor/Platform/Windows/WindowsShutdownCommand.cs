using System.Globalization;

namespace TrafficMonitor.Platform.Windows;

/// <summary><c>shutdown /s /t</c> takes seconds, so the delay is kept as configured (only a fraction rounds up).</summary>
public sealed class WindowsShutdownCommand : IShutdownCommand
{
    public IReadOnlyList<string> Arguments(TimeSpan delay)
    {
        var seconds = ((long)Math.Ceiling(Math.Max(0, delay.TotalSeconds))).ToString(CultureInfo.InvariantCulture);
        return ["shutdown", "/s", "/t", seconds, "/c", IShutdownCommand.WallMessage];
    }

    public TimeSpan RoundedDelay(TimeSpan delay) => delay;

    public bool RoundsUp(TimeSpan delay) => false;
}
