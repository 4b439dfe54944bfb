using TrafficMonitor.Platform;

namespace TrafficMonitor.Enforcement.Linux;

/// <summary>
/// Runs <c>tc</c> and <c>ip</c> (iproute2) through the process runner, without a shell. <paramref name="prefix"/> goes
/// before each: tests pass <c>ip netns exec NS</c> so every qdisc and device lands in a namespace they created.
/// </summary>
public sealed class Tc(IProcessRunner runner, IReadOnlyList<string>? prefix = null)
{
    public const string Program = "tc";
    public const string Ip = "ip";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private readonly IReadOnlyList<string> _prefix = prefix ?? [];

    /// <summary>The command line of <c>tc ARGS</c>, with the prefix: for logs and status.</summary>
    public IReadOnlyList<string> Command(params string[] arguments) => [.. _prefix, Program, .. arguments];

    /// <summary>
    /// Runs the lines with <c>tc -batch -</c>: one process for a whole setup. It stops at the first line that fails
    /// (not atomic: the caller undoes what it started).
    /// </summary>
    public async Task<StepResult> BatchAsync(IReadOnlyList<string> lines, CancellationToken cancellationToken) =>
        lines.Count == 0 ? StepResult.Success : (await RunAsync(Program, ["-batch", "-"], string.Join('\n', lines) + "\n", cancellationToken).ConfigureAwait(false)).Result;

    /// <summary><c>tc -j qdisc show dev X</c>, or null when there is no such device.</summary>
    public Task<string?> QdiscsAsync(string device, CancellationToken cancellationToken) =>
        ShowAsync(Program, ["-j", "qdisc", "show", "dev", device], cancellationToken);

    /// <summary><c>tc class show dev X</c> (text: it prints no JSON for HTB classes), or null when there is no such device.</summary>
    public Task<string?> ClassesAsync(string device, CancellationToken cancellationToken) =>
        ShowAsync(Program, ["class", "show", "dev", device], cancellationToken);

    /// <summary><c>tc -j filter show dev X ingress</c>, or null when there is no such device (empty without an ingress qdisc).</summary>
    public Task<string?> IngressFiltersAsync(string device, CancellationToken cancellationToken) =>
        ShowAsync(Program, ["-j", "filter", "show", "dev", device, "ingress"], cancellationToken);

    /// <summary><c>ip -j -d link show dev X</c>, or null when there is no such device.</summary>
    public Task<string?> LinkAsync(string device, CancellationToken cancellationToken) =>
        ShowAsync(Ip, ["-j", "-d", "link", "show", "dev", device], cancellationToken);

    public async Task<StepResult> IpAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        (await RunAsync(Ip, arguments, null, cancellationToken).ConfigureAwait(false)).Result;

    private async Task<string?> ShowAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var (result, output) = await RunAsync(program, arguments, null, cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? output
            : IsMissingDevice(result.Error!) ? null
            : throw new TcException(result.Error!);
    }

    private async Task<(StepResult Result, string Output)> RunAsync(string program, IReadOnlyList<string> arguments, string? input, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> command = [.. _prefix, program, .. arguments];
        try
        {
            var result = await runner.RunAsync(command, input, Timeout, cancellationToken).ConfigureAwait(false);
            if (result.ExitCode == 0)
            {
                return (StepResult.Success, result.StandardOutput);
            }

            var output = (result.StandardError + " " + result.StandardOutput).Trim();
            return (StepResult.Failure($"'{string.Join(' ', command)}' exited with code {result.ExitCode}{(output.Length > 0 ? $": {output}" : string.Empty)}"), string.Empty);
        }
        catch (Exception e) when (e is ProgramNotFoundException or TimeoutException)
        {
            return (StepResult.Failure(e is ProgramNotFoundException ? $"{e.Message} (install the iproute2 package)" : e.Message), string.Empty);
        }
    }

    // tc: "Cannot find device", ip: "Device \"X\" does not exist."
    private static bool IsMissingDevice(string error) =>
        error.Contains("Cannot find device", StringComparison.Ordinal) || error.Contains("does not exist", StringComparison.Ordinal);
}

public sealed class TcException(string message) : Exception(message);
