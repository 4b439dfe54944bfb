namespace TrafficMonitor.Tests.Components;

/// <summary>The repository's README, for tests that hold what it shows a new user to what the program does.</summary>
public static class Readme
{
    public static string Root { get; } = FindRoot();

    public static string Text => File.ReadAllText(Path.Combine(Root, "README.md"));

    /// <summary>
    /// The rules of the README's example ladder, one a line as written under <c>actions: rules:</c> (comments and all),
    /// so a test runs exactly what a user pastes.
    /// </summary>
    public static IReadOnlyList<string> LadderRules()
    {
        var block = Text[Text.IndexOf("The ladder users ask for", StringComparison.Ordinal)..];
        block = block[(block.IndexOf("```yaml", StringComparison.Ordinal) + "```yaml".Length)..];
        block = block[..block.IndexOf("```", StringComparison.Ordinal)];
        var lines = block.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        return lines.Take(2).SequenceEqual(["actions:", "rules:"])
            ? lines.Skip(2).ToList()
            : throw new InvalidOperationException("the README's example ladder no longer starts with 'actions: rules:'");
    }

    private static string FindRoot()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "TrafficMonitor.slnx")))
        {
            root = Path.GetDirectoryName(root)!;
        }

        return root;
    }
}
