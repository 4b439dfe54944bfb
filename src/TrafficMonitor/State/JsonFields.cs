using System.Globalization;
using System.Text.Json;

namespace TrafficMonitor.State;

/// <summary>
/// The members of one JSON object of a state file, read by name as the files' source-generated contracts read them:
/// snake_case names matched exactly, unknown members ignored, an absent member is its default, a null is refused where
/// the property is not nullable, and a value of the wrong kind is damage (a <see cref="JsonException"/> naming the
/// member). The files a check reads at start (state, ledger) are read this way: building System.Text.Json's contracts
/// for their ~30 types costs a short command like <c>status</c> about 0.7 ms of its start (docs/benchmarks.md).
/// </summary>
internal readonly struct JsonFields
{
    private readonly JsonElement _object;
    private readonly string _path;

    private JsonFields(JsonElement element, string path)
    {
        _object = element;
        _path = path;
    }

    public static JsonFields Of(JsonElement element, string path) =>
        element.ValueKind == JsonValueKind.Object ? new JsonFields(element, path) : throw Damage(path, "an object", element);

    public int Int32(string name) => Value(name, out var value) ? Number(value, name, static (JsonElement e, out int n) => e.TryGetInt32(out n)) : 0;

    public long Int64(string name) => Value(name, out var value) ? Number(value, name, static (JsonElement e, out long n) => e.TryGetInt64(out n)) : 0;

    public long? NullableInt64(string name) =>
        NullableValue(name, out var value) ? Number(value, name, static (JsonElement e, out long n) => e.TryGetInt64(out n)) : null;

    public ulong? NullableUInt64(string name) =>
        NullableValue(name, out var value) ? Number(value, name, static (JsonElement e, out ulong n) => e.TryGetUInt64(out n)) : null;

    public bool Boolean(string name) => Value(name, out var value) && value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Damage(Member(name), "true or false", value),
    };

    public string? NullableString(string name) => NullableValue(name, out var value) ? Text(value, Member(name)) : null;

    public DateOnly? NullableDate(string name) => NullableValue(name, out var value) ? Date(value, Member(name)) : null;

    public DateTimeOffset? NullableDateTimeOffset(string name) => NullableValue(name, out var value) ? Timestamp(value, Member(name)) : null;

    public Guid? NullableGuid(string name) =>
        !NullableValue(name, out var value) ? null
        : value.ValueKind == JsonValueKind.String && value.TryGetGuid(out var guid) ? guid
        : throw Damage(Member(name), "a GUID", value);

    /// <summary>Members that must be present, if only as null (the parameters of a record's constructor).</summary>
    public void Require(params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            if (!_object.TryGetProperty(name, out _))
            {
                throw new JsonException($"{Member(name)}: missing");
            }
        }
    }

    public string String(string name) => Value(name, out var value) ? Text(value, Member(name)) : throw new JsonException($"{Member(name)}: missing");

    public DateTimeOffset DateTimeOffset(string name) =>
        Value(name, out var value) ? Timestamp(value, Member(name)) : throw new JsonException($"{Member(name)}: missing");

    /// <summary>A nested object, or null when absent; null in the file only where <paramref name="nullable"/>.</summary>
    public JsonFields? Object(string name, bool nullable = false) =>
        !_object.TryGetProperty(name, out var value) ? null
        : value.ValueKind == JsonValueKind.Null ? nullable ? null : throw Damage(Member(name), "an object", value)
        : Of(value, Member(name));

    /// <summary>The members of a map (an object keyed by name), in file order; null values are damage.</summary>
    public IEnumerable<(string Key, JsonFields Value)>? Map(string name)
    {
        if (!_object.TryGetProperty(name, out var value))
        {
            return null;
        }

        var path = Member(name);
        return value.ValueKind == JsonValueKind.Object
            ? value.EnumerateObject().Select(member => (member.Name, Of(member.Value, $"{path}.{member.Name}")))
            : throw Damage(path, "an object", value);
    }

    /// <summary>A list of strings, or null when absent or null; a null item is damage.</summary>
    public IReadOnlyList<string>? NullableStrings(string name)
    {
        if (!NullableValue(name, out var value))
        {
            return null;
        }

        var path = Member(name);
        return value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Select((item, index) => Text(item, $"{path}[{index}]")).ToList()
            : throw Damage(path, "a list", value);
    }

    public static string Text(JsonElement value, string path) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Damage(path, "a string", value);

    public static DateOnly Date(string text, string path) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new JsonException($"{path}: '{text}' is not a date (yyyy-MM-dd)");

    private static DateTimeOffset Timestamp(JsonElement value, string path) =>
        value.ValueKind == JsonValueKind.String && value.TryGetDateTimeOffset(out var timestamp) ? timestamp : throw Damage(path, "a date and time", value);

    private static DateOnly Date(JsonElement value, string path) => Date(Text(value, path), path);

    private delegate bool TryGet<T>(JsonElement element, out T value);

    private T Number<T>(JsonElement value, string name, TryGet<T> tryGet) =>
        value.ValueKind == JsonValueKind.Number && tryGet(value, out var number) ? number : throw Damage(Member(name), "a whole number in range", value);

    /// <summary>A member of a non-nullable type: absent is the default, null is damage.</summary>
    private bool Value(string name, out JsonElement value)
    {
        if (!_object.TryGetProperty(name, out value))
        {
            return false;
        }

        return value.ValueKind != JsonValueKind.Null ? true : throw Damage(Member(name), "a value", value);
    }

    private bool NullableValue(string name, out JsonElement value) =>
        _object.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private string Member(string name) => $"{_path}.{name}";

    private static JsonException Damage(string path, string expected, JsonElement found) =>
        new($"{path}: expected {expected}, found {(found.ValueKind == JsonValueKind.Null ? "null" : found.ValueKind.ToString().ToLowerInvariant())}");
}
