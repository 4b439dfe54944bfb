using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace TrafficMonitor.Configuration.Yaml;

/// <summary>
/// Bounds what a settings file can make the YAML loader do, checked on the event stream as the loader reads it (a
/// parser that passes the events on, and stops at the first that breaks a limit with a <see cref="YamlLimitException"/>,
/// before the loader builds anything from it): keys must be plain values (an alias, list or section as a key is hashed
/// and printed in full, which an alias bomb turns into minutes and gigabytes), aliases may not expand the file past
/// <see cref="MaxValues"/> values, and nesting may not pass <see cref="MaxDepth"/> (the loader recurses once per level,
/// and a stack overflow cannot be caught).
/// </summary>
internal sealed class YamlLimits(IParser events) : IParser
{
    /// <summary>A real settings file has under a hundred values; this leaves room for lists, not for bombs.</summary>
    public const int MaxValues = 10_000;

    public const int MaxDepth = 64;

    private readonly Stack<Collection> _open = new();
    private readonly Dictionary<string, long> _expanded = new(StringComparer.Ordinal);
    private long _streamValues;

    public ParsingEvent? Current => events.Current;

    public bool MoveNext()
    {
        if (!events.MoveNext())
        {
            return false;
        }

        return Breaks(events.Current!) is { } problem ? throw new YamlLimitException(problem) : true;
    }

    /// <summary>The limit <paramref name="current"/> breaks, or null when it keeps to them.</summary>
    private ConfigProblem? Breaks(ParsingEvent current)
    {
        long values;
        switch (current)
        {
            case AnchorAlias alias:
                if (IsKey(_open))
                {
                    return Problem(current, $"an alias (*{Quoted.Cut(alias.Value.Value)}) cannot be a key: write the key out");
                }

                values = _expanded.GetValueOrDefault(alias.Value.Value, 1);
                break;
            case Scalar scalar:
                values = 1;
                Remember(_expanded, scalar.Anchor, values);
                break;
            case SequenceStart or MappingStart:
                if (IsKey(_open))
                {
                    return Problem(current, "a list or section cannot be a key: keys are names, e.g. smtp_server");
                }

                if (_open.Count == MaxDepth)
                {
                    return Problem(current, $"is nested too deep: more than {MaxDepth} levels of lists and sections");
                }

                _open.Push(new Collection(current is MappingStart, ((NodeEvent)current).Anchor));
                return null;
            case SequenceEnd or MappingEnd:
                var done = _open.Pop();
                values = done.Values + 1;
                Remember(_expanded, done.Anchor, values);
                break;
            default:
                return null;
        }

        // Counts only add up, so the first one past the limit is the place to say so; none can overflow.
        if (_open.TryPeek(out var parent))
        {
            parent.Add(values);
        }
        else
        {
            _streamValues += values;
        }

        return values > MaxValues || (parent?.Values ?? _streamValues) > MaxValues
            ? Problem(current, $"aliases (*name) make this file more than {MaxValues} values: write the values out instead of repeating them")
            : null;
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

/// <summary>A settings file breaks one of <see cref="YamlLimits"/>' bounds; <see cref="Problem"/> says which and where.</summary>
internal sealed class YamlLimitException(ConfigProblem problem) : Exception(problem.Message)
{
    public ConfigProblem Problem { get; } = problem;
}
