using System.Diagnostics;

namespace TrafficMonitor.Tests.Components;

/// <summary>Runs helper programs (sqlite3, vnstat, ip) for test set-up and fails loudly when they fail.</summary>
public static class Programs
{
    public static string Run(string program, params string[] arguments)
    {
        var (exitCode, output, error) = TryRun(program, arguments);
        return exitCode == 0
            ? output
            : throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited {exitCode}: {error}{output}");
    }

    public static (int ExitCode, string Output, string Error) TryRun(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish within 60s");
        }

        return (process.ExitCode, output.Result, error);
    }

    public static bool Exists(string program) =>
        Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(dir => File.Exists(System.IO.Path.Combine(dir, program)));
}
