using System.Net.NetworkInformation;

namespace TrafficMonitor.Usage.SystemCounters.NetworkInformation;

/// <summary>
/// Windows and macOS: the counters System.Net.NetworkInformation exposes. These systems have no boot id, so the
/// boot is told by its start time (now minus the time since boot).
/// </summary>
public sealed class NetworkInformationCounters(TimeProvider timeProvider) : IInterfaceCounters
{
    private readonly Dictionary<string, long?> _speeds = new(StringComparer.Ordinal);

    public CountersSnapshot Read()
    {
        var samples = new List<CounterSample>();
        NetworkInterface[] interfaces;
        try
        {
            interfaces = NetworkInterface.GetAllNetworkInterfaces();
        }
        catch (NetworkInformationException e)
        {
            throw new UsageUnavailableException($"the system's interface counters cannot be read: {e.Message}", e);
        }

        foreach (var nic in interfaces)
        {
            IPInterfaceStatistics statistics;
            try
            {
                statistics = nic.GetIPStatistics();
            }
            catch (Exception e) when (e is NetworkInformationException or PlatformNotSupportedException)
            {
                // An interface without statistics (some tunnels) is left out, as if absent; the others still count.
                continue;
            }

            samples.Add(new CounterSample(nic.Name, (ulong)Math.Max(0, statistics.BytesReceived), (ulong)Math.Max(0, statistics.BytesSent)));
            _speeds[nic.Name] = nic.Speed > 0 ? nic.Speed : null;
        }

        var bootedAt = timeProvider.GetUtcNow() - TimeSpan.FromMilliseconds(Environment.TickCount64);
        return new CountersSnapshot(null, bootedAt, samples);
    }

    public long? LinkSpeed(string name) => _speeds.GetValueOrDefault(name);
}
