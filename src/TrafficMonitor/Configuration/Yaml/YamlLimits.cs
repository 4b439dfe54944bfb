using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace TrafficMonitor.Configuration.Yaml;

/// <summary>
/// Bounds what a settings file can make the YAML loader do, checked on the event stream before any node is built:
/// keys must be plain values (an alias, list or section as a key is hashed and printed in full, which an alias bomb
/// turns into minutes and gigabytes), aliases may not expand the file past <see cref="MaxValues"/> values, and
/// nesting may not pass <see cref="MaxDepth"/> (the loader recurses once per level, and a stack overflow cannot be
/// caught).
/// </summary>
internal static class YamlLimits
{
    /// <summary>A real settings file has under a hundred values; this leaves room for lists, not for bombs.</summary>
    public const int MaxValues = 10_000;

    public const int MaxDepth = 64;

    /// <summary>The first limit the text breaks, or null when it keeps to them (or has a syntax error, which the loader reports).</summary>
    public static ConfigProblem? Check(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var open = new Stack<Collection>();
        var expanded = new Dictionary<string, long>(StringComparer.Ordinal);
        long streamValues = 0;
        try
        {
            while (parser.MoveNext())
            {
                var current = parser.Current!;
                long values;
                switch (current)
                {
                    case AnchorAlias alias:
                        if (IsKey(open))
                        {
                            return Problem(current, $"an alias (*{Quoted.Cut(alias.Value.Value)}) cannot be a key: write the key out");
                        }

                        values = expanded.GetValueOrDefault(alias.Value.Value, 1);
                        break;
                    case Scalar scalar:
                        values = 1;
                        Remember(expanded, scalar.Anchor, values);
                        break;
                    case SequenceStart or MappingStart:
                        if (IsKey(open))
                        {
                            return Problem(current, "a list or section cannot be a key: keys are names, e.g. smtp_server");
                        }

                        if (open.Count == MaxDepth)
                        {
                            return Problem(current, $"is nested too deep: more than {MaxDepth} levels of lists and sections");
                        }

                        open.Push(new Collection(current is MappingStart, ((NodeEvent)current).Anchor));
                        continue;
                    case SequenceEnd or MappingEnd:
                        var done = open.Pop();
                        values = done.Values + 1;
                        Remember(expanded, done.Anchor, values);
                        break;
                    default:
                        continue;
                }

                // Counts only add up, so the first one past the limit is the place to say so; none can overflow.
                if (open.TryPeek(out var parent))
                {
                    parent.Add(values);
                }
                else
                {
                    streamValues += values;
                }

                if (values > MaxValues || (parent?.Values ?? streamValues) > MaxValues)
                {
                    return Problem(current, $"aliases (*name) make this file more than {MaxValues} values: write the values out instead of repeating them");
                }
            }
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
            // A syntax error: the loader meets it at the same place and reports it as it always has.
        }

        return null;
    }

    private static bool IsKey(Stack<Collection> open) => open.TryPeek(out var parent) && parent.IsMapping && parent.Children % 2 == 0;

    private static void Remember(Dictionary<string, long> expanded, AnchorName anchor, long values)
    {
        if (!anchor.IsEmpty)
        {
            expanded[anchor.Value] = values;
        }
    }

    private static ConfigProblem Problem(ParsingEvent at, string message) =>
        new("(yaml)", message, (int)at.Start.Line, (int)at.Start.Column);

    private sealed class Collection(bool isMapping, AnchorName anchor)
    {
        public bool IsMapping { get; } = isMapping;

        public AnchorName Anchor { get; } = anchor;

        /// <summary>Keys and values so far, each counted once: even means the next one is a key.</summary>
        public int Children { get; private set; }

        /// <summary>The values inside, with every alias counted as what it stands for.</summary>
        public long Values { get; private set; }

        public void Add(long values)
        {
            Children++;
            Values += values;
        }
    }
}
