using System.Text.Json;
using TrafficMonitor.State;

namespace TrafficMonitor.Usage.SystemCounters;

/// <summary>
/// Reads <c>ledger.json</c> (the shape <see cref="LedgerJsonContext"/> writes) without building System.Text.Json's
/// contracts (see <see cref="JsonFields"/>); a test writes a ledger with every member set, reads it and writes it
/// again, and compares the two files.
/// </summary>
internal static class LedgerReader
{
    public static Ledger? Read(byte[] content)
    {
        using var document = JsonDocument.Parse(content);
        if (document.RootElement.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var ledger = JsonFields.Of(document.RootElement, "ledger");
        var read = new Ledger
        {
            Version = ledger.Int32("version"),
            BootId = ledger.NullableString("boot_id"),
            BootedAt = ledger.NullableDateTimeOffset("booted_at"),
            UpdatedAt = ledger.NullableDateTimeOffset("updated_at"),
        };
        foreach (var (name, counted) in ledger.Map("interfaces") ?? [])
        {
            read.Interfaces[name] = Interface(counted);
        }

        return read;
    }

    private static LedgerInterface Interface(JsonFields counted)
    {
        var read = new LedgerInterface { LastRx = counted.NullableUInt64("last_rx"), LastTx = counted.NullableUInt64("last_tx") };
        foreach (var (day, traffic) in counted.Map("days") ?? [])
        {
            read.Days[JsonFields.Date(day, "ledger.interfaces.days")] = new DayTraffic { Rx = traffic.Int64("rx"), Tx = traffic.Int64("tx") };
        }

        return read;
    }
}
