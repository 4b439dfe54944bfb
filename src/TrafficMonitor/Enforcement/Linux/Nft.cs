using TrafficMonitor.Platform;

namespace TrafficMonitor.Enforcement.Linux;

/// <summary>
/// Runs <c>nft</c> through the process runner, without a shell. <paramref name="prefix"/> goes before <c>nft</c>:
/// tests pass <c>ip netns exec NS</c> so every rule lands in a namespace they created, never the host's.
/// </summary>
public sealed class Nft(IProcessRunner runner, IReadOnlyList<string>? prefix = null)
{
    public const string Program = "nft";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private readonly IReadOnlyList<string> _prefix = prefix ?? [];

    /// <summary>The command line of <c>nft ARGS</c>, with the prefix: for logs and status.</summary>
    public IReadOnlyList<string> Command(params string[] arguments) => [.. _prefix, Program, .. arguments];

    /// <summary>Loads a ruleset atomically: <c>nft -f -</c> commits all of it in one transaction, or nothing.</summary>
    public Task<StepResult> LoadAsync(string ruleset, CancellationToken cancellationToken) =>
        RunAsync(["-f", "-"], ruleset, cancellationToken);

    /// <summary>The table as <c>nft list table</c> prints it, or null when there is none.</summary>
    public async Task<string?> ListTableAsync(string family, string table, CancellationToken cancellationToken)
    {
        var (result, output) = await ListAsync(["list", "table", family, table], cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? output : IsMissing(result) ? null : throw new NftException(result.Error!);
    }

    /// <summary><c>nft -j list quota</c>: the quota's JSON, or null when the table or the quota is gone.</summary>
    public async Task<string?> ListQuotaJsonAsync(string family, string table, string quota, CancellationToken cancellationToken)
    {
        var (result, output) = await ListAsync(["-j", "list", "quota", family, table, quota], cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? output : IsMissing(result) ? null : throw new NftException(result.Error!);
    }

    public async Task<StepResult> RunAsync(IReadOnlyList<string> arguments, string? input, CancellationToken cancellationToken) =>
        (await RunForOutputAsync(arguments, input, cancellationToken).ConfigureAwait(false)).Result;

    private Task<(StepResult Result, string Output)> ListAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        RunForOutputAsync(arguments, null, cancellationToken);

    private async Task<(StepResult Result, string Output)> RunForOutputAsync(IReadOnlyList<string> arguments, string? input, CancellationToken cancellationToken)
    {
        var command = Command([.. arguments]);
        try
        {
            var result = await runner.RunAsync(command, input, Timeout, cancellationToken).ConfigureAwait(false);
            if (result.ExitCode == 0)
            {
                return (StepResult.Success, result.StandardOutput);
            }

            var output = (result.StandardError + " " + result.StandardOutput).Trim();
            return (new StepResult(false, $"'{string.Join(' ', command)}' exited with code {result.ExitCode}{(output.Length > 0 ? $": {output}" : string.Empty)}"), string.Empty);
        }
        catch (Exception e) when (e is ProgramNotFoundException or TimeoutException)
        {
            return (new StepResult(false, e is ProgramNotFoundException ? $"{e.Message} (install the nftables package)" : e.Message), string.Empty);
        }
    }

    // nft says "No such file or directory" (ENOENT) for a table, chain or object that does not exist.
    private static bool IsMissing(StepResult result) => result.Error!.Contains("No such file or directory", StringComparison.Ordinal);
}

public sealed class NftException(string message) : Exception(message);
