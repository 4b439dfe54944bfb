using System.Text.Json.Serialization;

namespace TrafficMonitor.Usage.SystemCounters;

/// <summary>Bytes counted on one interface on one local day.</summary>
public sealed class DayTraffic
{
    public long Rx { get; set; }

    public long Tx { get; set; }
}

/// <summary>One interface in the ledger: what it moved per day, and the raw counters last seen (this boot).</summary>
public sealed class LedgerInterface
{
    /// <summary>The raw counter at the last reading, or null when the interface was absent then (its counter starts afresh).</summary>
    public ulong? LastRx { get; set; }

    public ulong? LastTx { get; set; }

    public SortedDictionary<DateOnly, DayTraffic> Days { get; set; } = [];

    /// <summary>Checked: days adding up past 2^63 bytes throw <see cref="OverflowException"/> rather than wrap.</summary>
    public (long Rx, long Tx) Sum(Func<DateOnly, bool> include)
    {
        long rx = 0, tx = 0;
        foreach (var (day, traffic) in Days)
        {
            if (include(day))
            {
                rx = checked(rx + traffic.Rx);
                tx = checked(tx + traffic.Tx);
            }
        }

        return (rx, tx);
    }
}

/// <summary>
/// The system provider's own record, kept in <c>state_dir</c>: per interface and local day, rx and tx (enough for any
/// reset day and count mode), plus the raw counters last seen and the boot they belong to. Days and counters are
/// always written together, so a restart counts exactly what the kernel counted since the ledger was written.
/// </summary>
public sealed class Ledger
{
    public const int CurrentVersion = 1;

    /// <summary>Days older than this are dropped: the longest billing period is 31 days, plus room for status and a late restart.</summary>
    public const int KeepDays = 100;

    public int Version { get; set; } = CurrentVersion;

    public string? BootId { get; set; }

    public DateTimeOffset? BootedAt { get; set; }

    /// <summary>When the counters were last read into the ledger; null for a ledger that never saw any.</summary>
    public DateTimeOffset? UpdatedAt { get; set; }

    public Dictionary<string, LedgerInterface> Interfaces { get; set; } = new(StringComparer.Ordinal);
}

[JsonSourceGenerationOptions(
    WriteIndented = false,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(Ledger))]
internal sealed partial class LedgerJsonContext : JsonSerializerContext;
