using System.Diagnostics;

namespace TrafficMonitor.Tests.Components;

/// <summary>Runs helper programs (sqlite3, vnstat, ip) for test set-up and fails loudly when they fail.</summary>
public static class Programs
{
    /// <summary>How long a helper program may take unless its caller says otherwise; past it, it is killed and the test fails instead of hanging.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    /// <summary>For the long ones: building the native binary, making a Debian root.</summary>
    public static readonly TimeSpan LongTimeout = TimeSpan.FromMinutes(8);

    public static string Run(string program, params string[] arguments) => Run(DefaultTimeout, program, arguments);

    public static string Run(TimeSpan timeout, string program, params string[] arguments)
    {
        var (exitCode, output, error) = TryRun(timeout, program, arguments);
        return exitCode == 0
            ? output
            : throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited {exitCode}: {error}{output}");
    }

    public static (int ExitCode, string Output, string Error) TryRun(string program, params string[] arguments) =>
        TryRun(DefaultTimeout, program, arguments);

    /// <summary>
    /// Runs a program to its end and returns what it printed; past <paramref name="timeout"/> (its output included: a
    /// child it left behind may hold the pipes open) it is killed with its children and a <see cref="TimeoutException"/> says so.
    /// </summary>
    public static (int ExitCode, string Output, string Error) TryRun(TimeSpan timeout, string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var elapsed = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout) || !Task.WaitAll([output, error], Remaining(timeout, elapsed)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds:0} s");
        }

        return (process.ExitCode, output.Result, error.Result);
    }

    private static TimeSpan Remaining(TimeSpan timeout, Stopwatch elapsed) =>
        timeout > elapsed.Elapsed ? timeout - elapsed.Elapsed : TimeSpan.Zero;

    public static bool Exists(string program) =>
        Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(dir => File.Exists(System.IO.Path.Combine(dir, program)));
}
