using System.Diagnostics;

namespace TrafficMonitor.Tests.Components;

public sealed record CliResult(int ExitCode, string Output, string Error);

/// <summary>Runs the real traffic-monitor program as a child process, as a user or a service manager would.</summary>
public static class CliRunner
{
    public static string ProgramPath => Path.Combine(AppContext.BaseDirectory, "traffic-monitor.dll");

    /// <param name="networkNamespace">Runs it inside this network namespace (one the test created), where it sees that namespace's interfaces.</param>
    /// <param name="shellSetup">
    /// Shell text put before <c>exec dotnet</c> in <c>sh -c</c>, for what only a shell sets up (<c>umask 077 &amp;&amp;</c>, or an
    /// assignment such as <c>JOURNAL_STREAM=$(…)</c>); the program's arguments are passed through untouched.
    /// </param>
    public static Process Start(
        IEnumerable<string> arguments, string? workingDirectory = null, IDictionary<string, string>? environment = null, string? networkNamespace = null, string? shellSetup = null)
    {
        string[] launcher = (networkNamespace, shellSetup) switch
        {
            (not null, _) => ["ip", "netns", "exec", networkNamespace, "dotnet"],
            (_, not null) => ["sh", "-c", $"{shellSetup} exec dotnet \"$@\"", "sh"],
            _ => ["dotnet"],
        };
        var start = new ProcessStartInfo(launcher[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var argument in launcher.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add(ProgramPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("TRAFFIC_MONITOR_CONFIG");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return Process.Start(start)!;
    }

    public static CliResult Run(
        IEnumerable<string> arguments, string? workingDirectory = null, IDictionary<string, string>? environment = null, TimeSpan? timeout = null,
        string? networkNamespace = null, string? shellSetup = null)
    {
        using var process = Start(arguments, workingDirectory, environment, networkNamespace, shellSetup);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"traffic-monitor {string.Join(' ', arguments)} did not finish; stderr so far: {error}");
        }

        return new CliResult(process.ExitCode, output.Result, error.Result);
    }
}
