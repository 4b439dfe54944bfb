using TrafficMonitor.Platform;

namespace TrafficMonitor.Tests.Components;

/// <summary>The real process runner, each command line rewritten first (<see cref="Rewrite"/>) on every way in.</summary>
public abstract class RewritingRunner : IProcessRunner
{
    private readonly ProcessRunner _runner = new();

    public Task<ProcessResult> RunAsync(IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken) =>
        _runner.RunAsync(Rewrite(command), timeout, cancellationToken);

    public Task<ProcessResult> RunAsync(
        IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null) =>
        _runner.RunAsync(Rewrite(command), timeout, cancellationToken, environment);

    public Task<ProcessResult> RunAsync(IReadOnlyList<string> command, string? standardInput, TimeSpan timeout, CancellationToken cancellationToken) =>
        _runner.RunAsync(Rewrite(command), standardInput, timeout, cancellationToken);

    protected abstract IReadOnlyList<string> Rewrite(IReadOnlyList<string> command);
}

/// <summary>Runs every program inside a network namespace the test created (<c>ip netns exec NS …</c>).</summary>
public sealed class NamespacedRunner(string ns) : RewritingRunner
{
    protected override IReadOnlyList<string> Rewrite(IReadOnlyList<string> command) => ["ip", "netns", "exec", ns, .. command];
}

/// <summary>
/// The real process runner for a test's own scripts (a command step's recorder), which refuses the programs that change
/// the machine's network or power: a throttle, block or quota reached by mistake (a rule, or a record undone after its
/// rule was removed) fails the test instead of running tc, nft or ip on the host. Tests that mean to run those give
/// the monitor a <see cref="NamespacedRunner"/>.
/// </summary>
public sealed class HostSafeRunner : RewritingRunner
{
    private static readonly HashSet<string> Refused = ["tc", "nft", "ip", "iptables", "ip6tables", "shutdown", "systemctl", "reboot", "poweroff", "halt"];

    /// <summary>The command unchanged, or an exception when it would change the host.</summary>
    protected override IReadOnlyList<string> Rewrite(IReadOnlyList<string> command) =>
        Refused.Contains(Path.GetFileName(command[0]))
            ? throw new InvalidOperationException($"a test ran '{string.Join(' ', command)}' on the host: run it in the test's namespace (NamespacedRunner) or through a recorder")
            : command;
}
