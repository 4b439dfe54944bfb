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
    /// <param name="environment">Variables set for the child on top of the inherited ones (after our own are withheld).</param>
    Task<ProcessResult> RunAsync(
        IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null);
}

public sealed class ProcessRunner : IProcessRunner
{
    /// <summary>Our own variables (e.g. TRAFFIC_MONITOR_SMTP_PASSWORD) start with this; children never see them.</summary>
    public const string OwnVariablePrefix = "TRAFFIC_MONITOR_";

    public async Task<ProcessResult> RunAsync(
        IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
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

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
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
