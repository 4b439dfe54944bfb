using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace TrafficMonitor.Configuration.Yaml;

/// <summary>The getters for lists and maps: each item is checked, and every bad one reported.</summary>
internal sealed partial class SectionReader
{
    /// <summary>A list of strings; a single scalar is taken as a one-item list. Blank items are problems, never kept.</summary>
    public IReadOnlyList<string>? StringList(string key)
    {
        var node = Value(key);
        switch (node)
        {
            case null:
                return null;
            case YamlScalarNode scalar when string.IsNullOrWhiteSpace(scalar.Value):
                AddProblem(node, KeyPath(key), "is empty: write a value, or a list of them");
                return null;
            case YamlScalarNode scalar:
                return [scalar.Value!];
            case YamlSequenceNode sequence:
                var items = new List<string>();
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    if (sequence.Children[i] is YamlScalarNode { Value: { } value } && !string.IsNullOrWhiteSpace(value))
                    {
                        items.Add(value);
                    }
                    else
                    {
                        AddProblem(sequence.Children[i], $"{KeyPath(key)}[{i}]", "must be a non-empty text value");
                    }
                }

                return items;
            default:
                AddProblem(node, KeyPath(key), "must be a list (- item lines) of text values");
                return null;
        }
    }

    /// <summary>A list of sections (<c>- key: value</c> items), each read at the path <c>key[i]</c>.</summary>
    public IReadOnlyList<SectionReader>? SectionList(string key)
    {
        var node = Value(key);
        switch (node)
        {
            case null:
                return null;
            case YamlSequenceNode sequence:
                return sequence.Children.Select((item, i) => new SectionReader(item, $"{KeyPath(key)}[{i}]", _problems)).ToList();
            default:
                AddProblem(node, KeyPath(key), "must be a list of sections (- key: value items)");
                return null;
        }
    }

    /// <summary>A section of text values (<c>Name: value</c> lines), in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? StringMap(string key)
    {
        var node = Value(key);
        switch (node)
        {
            case null:
                return null;
            case YamlMappingNode mapping:
                var items = new List<KeyValuePair<string, string>>();
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    if (keyNode is YamlScalarNode { Value: { Length: > 0 } name } && valueNode is YamlScalarNode { Value: { } value })
                    {
                        items.Add(new(name, value));
                    }
                    else
                    {
                        AddProblem(valueNode, $"{KeyPath(key)}.{Quoted.Cut(keyNode.ToString())}", "must be a text value");
                    }
                }

                return items;
            default:
                AddProblem(node, KeyPath(key), "must be a section of name: value lines");
                return null;
        }
    }
}
