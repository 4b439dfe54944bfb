namespace TrafficMonitor.Configuration;

/// <summary>One thing wrong with the configuration, named by its key path (<c>thresholds.interval</c>).</summary>
public sealed record ConfigProblem(string Path, string Message, int? Line = null, int? Column = null)
{
    public override string ToString() =>
        Line is null ? $"{Path}: {Message}" : $"{Path} (line {Line}, column {Column}): {Message}";
}

/// <summary>The configuration could not be used; <see cref="Problems"/> lists every reason at once.</summary>
public sealed class ConfigException(string? file, IReadOnlyList<ConfigProblem> problems)
    : Exception(BuildMessage(file, problems))
{
    public string? File { get; } = file;

    public IReadOnlyList<ConfigProblem> Problems { get; } = problems;

    private static string BuildMessage(string? file, IReadOnlyList<ConfigProblem> problems) =>
        $"{(file is null ? "configuration" : file)}: {problems.Count} problem(s): " +
        string.Join("; ", problems.Select(p => p.ToString()));
}
