using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using TrafficMonitor.Configuration;

namespace TrafficMonitor.Platform;

public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>The program could not be started at all (not installed, not executable).</summary>
public sealed class ProgramNotFoundException(string program, Exception inner)
    : Exception($"cannot start '{program}': {inner.Message}", inner)
{
    public string Program { get; } = program;
}

/// <summary>Runs a program without a shell, from an argument list, with a time limit.</summary>
public interface IProcessRunner
{
    Task<ProcessResult> RunAsync(IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Runs a program with <paramref name="environment"/> set on top of the inherited variables (after our own are withheld).</summary>
    Task<ProcessResult> RunAsync(
        IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null) =>
        environment is null or { Count: 0 }
            ? RunAsync(command, timeout, cancellationToken)
            : throw new NotSupportedException($"{GetType().Name} cannot set a child's environment");

    /// <summary>Runs a program that reads <paramref name="standardInput"/> (e.g. a ruleset for <c>nft -f -</c>).</summary>
    Task<ProcessResult> RunAsync(IReadOnlyList<string> command, string? standardInput, TimeSpan timeout, CancellationToken cancellationToken) =>
        standardInput is null
            ? RunAsync(command, timeout, cancellationToken)
            : throw new NotSupportedException($"{GetType().Name} cannot pass standard input");
}

public sealed class ProcessRunner : IProcessRunner
{
    /// <summary>Our own variables (e.g. TRAFFIC_MONITOR_SMTP_PASSWORD) start with this; children never see them.</summary>
    public const string OwnVariablePrefix = "TRAFFIC_MONITOR_";

    public Task<ProcessResult> RunAsync(IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken) =>
        RunCoreAsync(command, null, null, timeout, cancellationToken);

    /// <param name="environment">Variables set for the child on top of the inherited ones (after our own are withheld).</param>
    public Task<ProcessResult> RunAsync(
        IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null) =>
        RunCoreAsync(command, null, environment, timeout, cancellationToken);

    public Task<ProcessResult> RunAsync(IReadOnlyList<string> command, string? standardInput, TimeSpan timeout, CancellationToken cancellationToken) =>
        RunCoreAsync(command, standardInput, null, timeout, cancellationToken);

    /// <summary>Runs a program with an input to read and variables of its own, either or both; every overload is this one.</summary>
    private static async Task<ProcessResult> RunCoreAsync(
        IReadOnlyList<string> command,
        string? standardInput,
        IReadOnlyDictionary<string, string>? environment,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(command.Count);
        var startInfo = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in command.Skip(1))
        {
            startInfo.ArgumentList.Add(argument);
        }

        // vnStat and the action's command need none of our secrets. Dropping the whole prefix, rather than a list of
        // names, keeps a secret variable added later out of children too.
        foreach (var name in startInfo.Environment.Keys.Where(IsWithheld).ToList())
        {
            startInfo.Environment.Remove(name);
        }

        // What the monitor tells a child on purpose (an enforcement step's event) is set after the inherited ones
        // are withheld: it is chosen here, never a secret passed through.
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new ProgramNotFoundException(command[0], e);
        }

        // Both outputs are drained before the input is written, so a child that writes while it reads never blocks.
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            if (standardInput is not null)
            {
                await process.StandardInput.WriteAsync(standardInput.AsMemory(), cancellationToken).ConfigureAwait(false);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The child exited without reading all of its input; its exit code and output say why.
        }
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new TimeoutException($"'{command[0]}' did not finish within {DurationParser.Format(timeout)} and was stopped");
        }

        return new ProcessResult(process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
    }

    /// <summary>
    /// Whether a variable of the monitor's environment is kept from every child it starts: all of ours but
    /// <see cref="ConfigLocator.EnvironmentVariable"/>, a path that lets an action script find the same settings.
    /// </summary>
    public static bool IsWithheld(string name) =>
        name.StartsWith(OwnVariablePrefix, StringComparison.Ordinal) && !name.Equals(ConfigLocator.EnvironmentVariable, StringComparison.Ordinal);
}
