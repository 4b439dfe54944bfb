namespace TrafficMonitor.Platform;

/// <summary>When this machine booted, on the monitor's clock: what a restart waits from when it cannot know more.</summary>
public sealed class SystemBoot(DateTimeOffset bootedAt)
{
    public DateTimeOffset BootedAt => bootedAt;

    /// <summary>From the time since boot the OS keeps (it does not jump with the wall clock).</summary>
    public static SystemBoot FromUptime(TimeProvider timeProvider) =>
        new(timeProvider.GetUtcNow() - TimeSpan.FromMilliseconds(Environment.TickCount64));
}
