using TrafficMonitor.Configuration;
using TrafficMonitor.Configuration.Yaml;

namespace TrafficMonitor.Enforcement;

/// <summary>The options of a <c>do: command</c> rule: what to run at its point, and what undoes it.</summary>
/// <param name="Run">The program and its arguments, run without a shell.</param>
/// <param name="Undo">Run when the step is undone (a new period, pause, the rule removed); none: the step is a one-off event.</param>
public sealed record CommandStepOptions(IReadOnlyList<string> Run, IReadOnlyList<string>? Undo, TimeSpan Timeout) : IStepOptions
{
    public const string Kind = "command";
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    public bool Revertible => Undo is not null;

    public IEnumerable<KeyValuePair<string, string>> Describe()
    {
        yield return new("run", $"[{string.Join(", ", Run)}]");
        yield return new("undo", Undo is null ? "(none: a one-off event each period, never undone)" : $"[{string.Join(", ", Undo)}]");
        yield return new("timeout", DurationParser.Format(Timeout));
    }

    /// <summary>Reads <c>run</c>, <c>undo</c> and <c>timeout</c> of one rule; null when they are unusable (the problems say why).</summary>
    internal static CommandStepOptions? Read(SectionReader rule, StepReadContext context)
    {
        var run = ArgumentList(rule, "run", required: true);
        var undo = ArgumentList(rule, "undo", required: false);
        var timeout = rule.Duration("timeout", MaxTimeout);
        if (!rule.Positive("timeout", timeout) || run is null || (undo is null && rule.Has("undo")))
        {
            return null;
        }

        return new CommandStepOptions(run, undo, timeout ?? DefaultTimeout);
    }

    /// <summary>An argument list; one string with spaces is refused (no shell would split it), as is an empty list.</summary>
    private static List<string>? ArgumentList(SectionReader rule, string key, bool required)
    {
        var isScalar = rule.IsScalar(key);
        var list = rule.StringList(key);
        if (list is null)
        {
            if (required && !rule.Has(key))
            {
                rule.Missing(key, "missing: the program to run and its arguments, as a list, e.g. [\"/usr/local/bin/notify-quota\", \"on\"]");
            }

            return null;
        }

        if (list is [])
        {
            rule.Problem(key, "is an empty list: list the program and its arguments, e.g. [\"/usr/local/bin/notify-quota\", \"on\"]");
            return null;
        }

        if (isScalar && list is [var single] && single.Contains(' ', StringComparison.Ordinal))
        {
            rule.Problem(key, $"{Quoted.Value(single)} is one string with spaces, and commands run without a shell: write it as a list, e.g. [\"/usr/local/bin/notify-quota\", \"on\"]");
            return null;
        }

        return [.. list];
    }
}
