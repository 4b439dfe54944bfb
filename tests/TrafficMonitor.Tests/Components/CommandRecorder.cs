namespace TrafficMonitor.Tests.Components;

/// <summary>
/// Stands in for the OS shutdown: a script that records each call (its arguments) and exits with a chosen code.
/// Point <c>actions.shutdown.command</c> at <see cref="Command"/>: never a real shutdown.
/// </summary>
public sealed class CommandRecorder : IDisposable
{
    private readonly TempDirectory _directory = new();

    public CommandRecorder(int exitCode = 0)
    {
        LogFile = _directory.Combine("calls.log");
        ScriptFile = _directory.Write("record-shutdown", $"#!/bin/sh\necho \"$*\" >> '{LogFile}'\necho 'recorder: refusing on purpose' >&2\nexit $(cat '{_directory.Combine("exit-code")}')\n");
        ExitCode = exitCode;
        File.SetUnixFileMode(ScriptFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string ScriptFile { get; }

    public string LogFile { get; }

    /// <summary>The exit code the next calls return (0 = success).</summary>
    public int ExitCode
    {
        set => File.WriteAllText(_directory.Combine("exit-code"), value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public IReadOnlyList<string> Command => [ScriptFile, "-h", "+{delay_minutes}"];

    public IReadOnlyList<string> Calls => File.Exists(LogFile) ? File.ReadAllLines(LogFile) : [];

    public string YamlCommand => $"[\"{ScriptFile}\", \"-h\", \"+{{delay_minutes}}\"]";

    public void Dispose() => _directory.Dispose();
}
