using System.Text.Json.Serialization;

namespace TrafficMonitor.State;

[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(MonitorState))]
[JsonSerializable(typeof(MonitorStateV1))]
[JsonSerializable(typeof(FallbackRecord))]
[JsonSerializable(typeof(PeriodHistory))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
