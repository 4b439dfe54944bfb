using System.Diagnostics;

namespace TrafficMonitor.Tests.Components;

public sealed record CliResult(int ExitCode, string Output, string Error);

/// <summary>Runs the real traffic-monitor program as a child process, as a user or a service manager would.</summary>
public static class CliRunner
{
    public static string ProgramPath => Path.Combine(AppContext.BaseDirectory, "traffic-monitor.dll");

    /// <param name="networkNamespace">Runs it inside this network namespace (one the test created), where it sees that namespace's interfaces.</param>
    public static Process Start(IEnumerable<string> arguments, string? workingDirectory = null, IDictionary<string, string>? environment = null, string? networkNamespace = null)
    {
        var start = new ProcessStartInfo(networkNamespace is null ? "dotnet" : "ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        if (networkNamespace is not null)
        {
            foreach (var argument in new[] { "netns", "exec", networkNamespace, "dotnet" })
            {
                start.ArgumentList.Add(argument);
            }
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
        IEnumerable<string> arguments, string? workingDirectory = null, IDictionary<string, string>? environment = null, TimeSpan? timeout = null, string? networkNamespace = null)
    {
        using var process = Start(arguments, workingDirectory, environment, networkNamespace);
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
