using System.Text.Json.Serialization;

namespace TrafficMonitor.Notifications.Outbox;

[JsonConverter(typeof(JsonStringEnumConverter<DeliveryStatus>))]
public enum DeliveryStatus
{
    Pending,
    Delivered,

    /// <summary>The server refused it for good (a configuration problem); not retried.</summary>
    Rejected,
}

/// <summary>Where one notification stands with one channel.</summary>
public sealed class ChannelDelivery
{
    public DeliveryStatus Status { get; set; }

    public int Attempts { get; set; }

    /// <summary>Null: due now.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }

    public string? LastError { get; set; }
}

/// <summary>One queued notification and its delivery to each channel configured when it was queued.</summary>
public sealed class OutboxEntry
{
    public required Notification Notification { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public Dictionary<string, ChannelDelivery> Deliveries { get; init; } = new(StringComparer.Ordinal);

    [JsonIgnore]
    public bool Finished => Deliveries.Values.All(d => d.Status != DeliveryStatus.Pending);
}

/// <summary>The outbox file's content.</summary>
public sealed class OutboxDocument
{
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;

    public List<OutboxEntry> Entries { get; init; } = [];

    /// <summary>
    /// Ids of notifications already finished, until they would have expired: an event decided again (a crash before
    /// the state was saved) is then not queued a second time.
    /// </summary>
    public Dictionary<string, DateTimeOffset> Finished { get; init; } = new(StringComparer.Ordinal);
}

[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(OutboxDocument))]
internal sealed partial class OutboxJsonContext : JsonSerializerContext;
