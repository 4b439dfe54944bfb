namespace TrafficMonitor.Monitoring;

/// <summary>
/// This process, as the policy tells "ran in this process" from "ran before a restart or reboot". Created once per
/// process (<see cref="Current"/>), outside anything a reload rebuilds: a reload is not a restart.
/// </summary>
public sealed record ProcessIdentity(Guid Id)
{
    public static ProcessIdentity Current { get; } = new(Guid.NewGuid());

    /// <summary>Another process, as after a restart: for tests that play one.</summary>
    public static ProcessIdentity New() => new(Guid.NewGuid());
}
