using System.Globalization;

namespace TrafficMonitor.Usage.SystemCounters.Linux;

/// <summary>
/// /proc/net/dev (the counters of the reading process's network namespace), the boot id from
/// /proc/sys/kernel/random/boot_id, the boot time from /proc/uptime, and link speeds from /sys/class/net/*/speed.
/// </summary>
public sealed class LinuxInterfaceCounters(IFileSystem fileSystem, TimeProvider timeProvider) : IInterfaceCounters
{
    public const string NetDevPath = "/proc/net/dev";
    public const string BootIdPath = "/proc/sys/kernel/random/boot_id";
    public const string UptimePath = "/proc/uptime";

    private readonly Dictionary<string, long?> _speeds = new(StringComparer.Ordinal);
    private (string? Id, DateTimeOffset? At)? _boot;

    public CountersSnapshot Read()
    {
        var text = fileSystem.ReadText(NetDevPath)
            ?? throw new UsageUnavailableException($"cannot read {NetDevPath}: is /proc mounted? (the system provider needs it)");
        // The boot cannot change under a running process, so it is read once.
        _boot ??= (fileSystem.ReadText(BootIdPath)?.Trim() is { Length: > 0 } id ? id : null, BootedAt());
        return new CountersSnapshot(_boot.Value.Id, _boot.Value.At, ParseNetDev(text), Environment.Is64BitOperatingSystem ? 64 : 32);
    }

    public long? LinkSpeed(string name)
    {
        if (!_speeds.TryGetValue(name, out var speed))
        {
            // Mbit/s; -1 or unreadable for virtual links and links that are down.
            speed = long.TryParse(fileSystem.ReadText($"/sys/class/net/{name}/speed")?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var mbits) && mbits > 0
                ? mbits * 1_000_000
                : null;
            _speeds[name] = speed;
        }

        return speed;
    }

    /// <summary>Parses /proc/net/dev: two header lines, then "name: rx_bytes rx_packets … (8 rx fields) tx_bytes …".</summary>
    public static IReadOnlyList<CounterSample> ParseNetDev(string text)
    {
        var samples = new List<CounterSample>();
        foreach (var range in text.AsSpan().Split('\n'))
        {
            var line = text.AsSpan()[range];
            var colon = line.IndexOf(':');
            if (colon < 0)
            {
                continue;
            }

            var name = line[..colon].Trim();
            var fields = line[(colon + 1)..];
            ulong rx = 0, tx = 0;
            var index = 0;
            foreach (var field in fields.Split(' '))
            {
                var value = fields[field];
                if (value.IsEmpty)
                {
                    continue;
                }

                if (index == 0 || index == 8)
                {
                    if (!ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes))
                    {
                        throw new UsageUnavailableException($"{NetDevPath} has an unexpected line for {name}: '{line.Trim()}'");
                    }

                    if (index == 0)
                    {
                        rx = bytes;
                    }
                    else
                    {
                        tx = bytes;
                        break;
                    }
                }

                index++;
            }

            if (index < 8)
            {
                throw new UsageUnavailableException($"{NetDevPath} has an unexpected line for {name}: '{line.Trim()}'");
            }

            samples.Add(new CounterSample(name.ToString(), rx, tx));
        }

        return samples;
    }

    private DateTimeOffset? BootedAt()
    {
        var uptime = fileSystem.ReadText(UptimePath)?.Split(' ', 2)[0];
        return double.TryParse(uptime, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            ? timeProvider.GetUtcNow() - TimeSpan.FromSeconds(seconds)
            : null;
    }
}
