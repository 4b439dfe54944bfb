using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace TrafficMonitor.Configuration.Yaml;

/// <summary>
/// Reads one YAML mapping as a config section. Every getter records its key as known, so
/// <see cref="ReportUnknownKeys"/> can flag the rest (usually typos) with the closest known key.
/// Problems are collected, never thrown, so a user sees every bad key in one run.
/// </summary>
internal sealed partial class SectionReader
{
    private static readonly string[] NullScalars = ["", "~", "null", "Null", "NULL"];

    private readonly YamlMappingNode? _node;
    private readonly List<ConfigProblem> _problems;
    private readonly HashSet<string> _knownKeys = new(StringComparer.Ordinal);

    public SectionReader(YamlNode? node, string path, List<ConfigProblem> problems)
    {
        Path = path;
        _problems = problems;
        switch (node)
        {
            case null:
                break;
            case YamlMappingNode mapping:
                _node = mapping;
                break;
            case YamlScalarNode scalar when IsNull(scalar):
                break;
            default:
                AddProblem(node, path, "must be a section of keys (key: value lines indented below it)");
                break;
        }
    }

    public string Path { get; }

    public bool Exists => _node is not null;

    /// <summary>Problems told so far in the whole file: a reader compares it before and after to know whether its keys were usable.</summary>
    public int ProblemCount => _problems.Count;

    public string KeyPath(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    public SectionReader Section(string key) => new(Find(key), KeyPath(key), _problems);

    public bool Has(string key) => Value(key) is not null;

    public string? String(string key)
    {
        var scalar = Scalar(key);
        return scalar is null || IsNull(scalar) ? null : scalar.Value;
    }

    public int? Int(string key, int min, int max)
    {
        var scalar = Scalar(key);
        if (scalar is null || IsNull(scalar))
        {
            return null;
        }

        if (!int.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            AddProblem(scalar, KeyPath(key), $"{Quoted.Value(scalar.Value)} is not a whole number (expected {min} to {max})");
            return null;
        }

        if (value < min || value > max)
        {
            AddProblem(scalar, KeyPath(key), $"{value} is out of range: use {min} to {max}");
            return null;
        }

        return value;
    }

    public decimal? Number(string key)
    {
        var scalar = Scalar(key);
        if (scalar is null || IsNull(scalar))
        {
            return null;
        }

        if (!decimal.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            AddProblem(scalar, KeyPath(key), $"{Quoted.Value(scalar.Value)} is not a number");
            return null;
        }

        return value;
    }

    public bool? Bool(string key)
    {
        var scalar = Scalar(key);
        if (scalar is null || IsNull(scalar))
        {
            return null;
        }

        switch (scalar.Value?.ToLowerInvariant())
        {
            case "true" or "yes" or "on":
                return true;
            case "false" or "no" or "off":
                return false;
            default:
                AddProblem(scalar, KeyPath(key), $"{Quoted.Value(scalar.Value)} is not true or false");
                return null;
        }
    }

    public ByteSize? Size(string key) => Parsed<ByteSize>(key, ByteSize.TryParse);

    /// <param name="max">The longest this key may be: every duration has a bound, so none can overflow a date or a timer.</param>
    public TimeSpan? Duration(string key, TimeSpan max) =>
        Parsed(key, (string text, out TimeSpan value, out string error) => DurationParser.TryParse(text, max, out value, out error));

    public T? Choice<T>(string key, IReadOnlyDictionary<string, T> choices)
        where T : struct
    {
        var text = String(key);
        if (text is null)
        {
            return null;
        }

        foreach (var (name, value) in choices)
        {
            if (string.Equals(name, text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        AddProblem(Find(key), KeyPath(key), $"{Quoted.Value(text)} is not one of: {string.Join(", ", choices.Keys)}");
        return null;
    }

    /// <summary>Whether the key holds a plain scalar rather than a list (for keys where that matters).</summary>
    public bool IsScalar(string key) => Find(key) is YamlScalarNode;

    public void Problem(string key, string message) => AddProblem(Find(key), KeyPath(key), message);

    public void Missing(string key, string message) =>
        _problems.Add(new ConfigProblem(key.Length == 0 ? Path : KeyPath(key), message, LineOf(_node), ColumnOf(_node)));

    public void ReportUnknownKeys(IReadOnlyDictionary<string, string>? hints = null)
    {
        if (_node is null)
        {
            return;
        }

        foreach (var (keyNode, _) in _node.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? keyNode.ToString();
            if (_knownKeys.Contains(key))
            {
                continue;
            }

            string message;
            if (hints is not null && hints.TryGetValue(key, out var hint))
            {
                message = hint;
            }
            else
            {
                var suggestion = KeySuggestion.Closest(key, _knownKeys);
                message = suggestion is null
                    ? $"unknown key; known keys here: {string.Join(", ", _knownKeys.Order(StringComparer.Ordinal))}"
                    : $"unknown key; did you mean '{suggestion}'?";
            }

            AddProblem(keyNode, KeyPath(Quoted.Cut(key)), message);
        }
    }

    private delegate bool TryParser<T>(string text, out T value, out string error);

    private T? Parsed<T>(string key, TryParser<T> tryParse)
        where T : struct
    {
        var text = String(key);
        if (text is null)
        {
            return null;
        }

        if (!tryParse(text, out var value, out var error))
        {
            AddProblem(Find(key), KeyPath(key), error);
            return null;
        }

        return value;
    }

    private YamlScalarNode? Scalar(string key)
    {
        var node = Find(key);
        if (node is null or YamlScalarNode)
        {
            return (YamlScalarNode?)node;
        }

        AddProblem(node, KeyPath(key), "must be a single value, not a list or section");
        return null;
    }

    /// <summary>The key's value, or null when it is absent or written as null (<c>key:</c>, <c>~</c>, <c>null</c>).</summary>
    private YamlNode? Value(string key) => Find(key) is { } node && !(node is YamlScalarNode scalar && IsNull(scalar)) ? node : null;

    private YamlNode? Find(string key)
    {
        _knownKeys.Add(key);
        if (_node is null)
        {
            return null;
        }

        foreach (var (keyNode, valueNode) in _node.Children)
        {
            if (keyNode is YamlScalarNode { Value: var name } && name == key)
            {
                return valueNode;
            }
        }

        return null;
    }

    private void AddProblem(YamlNode? node, string path, string message) =>
        _problems.Add(new ConfigProblem(path, message, LineOf(node), ColumnOf(node)));

    private static int? LineOf(YamlNode? node) => node is null ? null : (int)node.Start.Line;

    private static int? ColumnOf(YamlNode? node) => node is null ? null : (int)node.Start.Column;

    private static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && NullScalars.Contains(scalar.Value ?? string.Empty);
}
