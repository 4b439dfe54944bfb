using System.Text.Json.Serialization;

namespace TrafficMonitor.Usage.Calibration;

/// <summary>
/// What <c>set-usage</c> recorded: offsets that make the counted usage match the provider's panel, for the period
/// starting at <see cref="PeriodStart"/> only (a new period starts from what the interfaces move).
/// </summary>
public sealed record Calibration(DateOnly PeriodStart, long RxOffset, long TxOffset, long CountedOffset, DateTimeOffset SetAt);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(Calibration))]
internal sealed partial class CalibrationJsonContext : JsonSerializerContext;
