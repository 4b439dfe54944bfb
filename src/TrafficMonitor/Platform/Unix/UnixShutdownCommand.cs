namespace TrafficMonitor.Platform.Unix;

/// <summary>
/// <c>shutdown -h</c> on Linux and macOS. It takes whole minutes, so the delay rounds up: a delay of 30s must not
/// become "+0", an immediate shutdown, as it did in the original tool.
/// </summary>
public sealed class UnixShutdownCommand : IShutdownCommand
{
    public IReadOnlyList<string> Arguments(TimeSpan delay)
    {
        var when = delay <= TimeSpan.Zero ? "now" : $"+{(long)RoundedDelay(delay).TotalMinutes}";
        return ["shutdown", "-h", when, IShutdownCommand.WallMessage];
    }

    public TimeSpan RoundedDelay(TimeSpan delay) => TimeSpan.FromMinutes(Math.Ceiling(delay.TotalMinutes));

    public bool RoundsUp(TimeSpan delay) => delay > TimeSpan.Zero && delay.TotalSeconds % 60 != 0;
}
