using System.Diagnostics;

namespace TrafficMonitor.Tests.Metrics;

/// <summary>Debian's promtool (package prometheus, installed by eng/test.sh).</summary>
internal static class Promtool
{
    public static (int ExitCode, string Output, string Error) Run(string? input, params string[] arguments)
    {
        var start = new ProcessStartInfo("promtool")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        if (input is not null)
        {
            process.StandardInput.Write(input);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("promtool did not finish within 60s");
        }

        return (process.ExitCode, output.Result, error.Result);
    }

    public static string RepositoryRoot
    {
        get
        {
            var root = AppContext.BaseDirectory;
            while (!File.Exists(Path.Combine(root, "TrafficMonitor.slnx")))
            {
                root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("TrafficMonitor.slnx not found above " + AppContext.BaseDirectory);
            }

            return root;
        }
    }
}
