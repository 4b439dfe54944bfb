using System.Text.Json.Serialization;

namespace TrafficMonitor.State;

[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(MonitorState))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
