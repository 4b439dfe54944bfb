using System.Text.Json.Serialization;

namespace TrafficMonitor.State;

[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(MonitorState))]
[JsonSerializable(typeof(MonitorStateV1))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
