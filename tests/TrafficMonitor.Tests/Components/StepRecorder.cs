namespace TrafficMonitor.Tests.Components;

/// <summary>
/// Stands in for a ladder step's command: a script that records each call, one line with its arguments (each in
/// brackets, so spaces show) and the TRAFFIC_MONITOR_* variables it got, and exits with a chosen code.
/// </summary>
public sealed class StepRecorder : IDisposable
{
    private readonly TempDirectory _directory = new();

    public StepRecorder(int exitCode = 0)
    {
        LogFile = _directory.Combine("calls.log");
        var exitFile = _directory.Combine("exit-code");
        ScriptFile = _directory.Write("record-step", $$"""
            #!/bin/sh
            line=""
            for a in "$@"; do line="$line[$a]"; done
            echo "$line $(env | grep '^TRAFFIC_MONITOR_' | sort | tr '\n' ' ')" >> '{{LogFile}}'
            echo 'step recorder: refusing on purpose' >&2
            exit $(cat '{{exitFile}}')

            """);
        File.SetUnixFileMode(ScriptFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        ExitCode = exitCode;
    }

    public string ScriptFile { get; }

    public string LogFile { get; }

    public int ExitCode
    {
        set => File.WriteAllText(_directory.Combine("exit-code"), value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public IReadOnlyList<string> Calls => File.Exists(LogFile) ? File.ReadAllLines(LogFile) : [];

    /// <summary>The calls whose first argument is <paramref name="tag"/> (e.g. "on", "off").</summary>
    public IReadOnlyList<string> CallsOf(string tag) => Calls.Where(c => c.StartsWith($"[{tag}]", StringComparison.Ordinal)).ToList();

    /// <summary>A YAML argument list running the recorder with <paramref name="arguments"/>.</summary>
    public string Yaml(params string[] arguments) => $"[\"{ScriptFile}\"{string.Concat(arguments.Select(a => $", \"{a}\""))}]";

    public void Dispose() => _directory.Dispose();
}
