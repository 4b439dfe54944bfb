using System.Globalization;
using System.Text;
using TrafficMonitor.Usage.SystemCounters.Linux;

namespace TrafficMonitor.Tests.Usage.SystemCounters;

/// <summary>A /proc the test writes: interface counters, the boot id and the uptime.</summary>
public sealed class FakeProc : IFileSystem
{
    private readonly Dictionary<string, (ulong Rx, ulong Tx)> _counters = new(StringComparer.Ordinal);

    public string BootId { get; set; } = "11111111-1111-1111-1111-111111111111";

    public double UptimeSeconds { get; set; } = 3600 * 24 * 400;

    public FakeProc Set(string name, ulong rx, ulong tx)
    {
        _counters[name] = (rx, tx);
        return this;
    }

    public FakeProc Add(string name, ulong rx, ulong tx)
    {
        var (r, t) = _counters.GetValueOrDefault(name);
        _counters[name] = (r + rx, t + tx);
        return this;
    }

    public FakeProc Remove(string name)
    {
        _counters.Remove(name);
        return this;
    }

    public string? ReadText(string path) => path switch
    {
        LinuxInterfaceCounters.NetDevPath => NetDev(),
        LinuxInterfaceCounters.BootIdPath => BootId + "\n",
        LinuxInterfaceCounters.UptimePath => $"{UptimeSeconds.ToString(CultureInfo.InvariantCulture)} 12345.67\n",
        _ => null,
    };

    private string NetDev()
    {
        var text = new StringBuilder();
        text.Append("Inter-|   Receive                                                |  Transmit\n");
        text.Append(" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n");
        foreach (var (name, (rx, tx)) in _counters)
        {
            text.Append(CultureInfo.InvariantCulture, $"{name,6}: {rx,12} 100 0 0 0 0 0 0 {tx,12} 90 0 0 0 0 0 0\n");
        }

        return text.ToString();
    }
}
