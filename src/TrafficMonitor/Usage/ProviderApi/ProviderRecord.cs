using System.Text.Json.Serialization;

namespace TrafficMonitor.Usage.ProviderApi;

/// <summary>A good reading of the provider's meter, paired with what the own counters had counted at that moment.</summary>
/// <param name="ProviderBytes">The provider's billed figure (multiplier applied).</param>
/// <param name="OwnBytes">The own counters' figure in the provider's measure, before the multiplier.</param>
public sealed record ProviderPoint(DateTimeOffset ReadAt, long ProviderBytes, long OwnBytes);

/// <summary>
/// What the monitor remembers of the provider's API (<c>provider.json</c> in the state directory): the last good
/// reading of this period and the first (the start of the interval both counts are compared over), the terms the
/// provider gave, and how polling stands, so a restart neither asks too soon nor tells the admin twice.
/// </summary>
public sealed record ProviderRecord
{
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;

    /// <summary>The provider and server the record is about: another one in the settings starts a new record.</summary>
    public string? Source { get; init; }

    /// <summary>The billing period <see cref="First"/> and <see cref="Last"/> belong to.</summary>
    public DateOnly? PeriodStart { get; init; }

    public ProviderPoint? First { get; init; }

    public ProviderPoint? Last { get; init; }

    public long? RxBytes { get; init; }

    public long? TxBytes { get; init; }

    public decimal Multiplier { get; init; } = 1;

    /// <summary>The plan's bytes, from the last good reading of any period (plans rarely change).</summary>
    public long? LimitBytes { get; init; }

    public DateTimeOffset? NextReset { get; init; }

    public DateTimeOffset? LastAttemptAt { get; init; }

    /// <summary>Failed polls in a row; 0 after a good one.</summary>
    public int Failures { get; init; }

    public string? LastError { get; init; }

    public DateTimeOffset? FailingSince { get; init; }

    /// <summary>The provider's Retry-After: no poll before this.</summary>
    public DateTimeOffset? RetryNotBefore { get; init; }

    /// <summary>The start of the period whose disagreement the admin was told of: once per period.</summary>
    public DateOnly? DisagreementReported { get; init; }
}

[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(ProviderRecord))]
internal sealed partial class ProviderJsonContext : JsonSerializerContext;
