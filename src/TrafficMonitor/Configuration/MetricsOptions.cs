using System.Net;

namespace TrafficMonitor.Configuration;

/// <summary>The <c>metrics</c> section: the Prometheus endpoint and status page, off unless asked for.</summary>
public sealed class MetricsOptions
{
    public const string SectionName = "metrics";
    public const int DefaultPort = 9721;

    /// <summary>Loopback only: anything wider must be written out, and is warned about (the endpoint has no authentication).</summary>
    public static readonly IPEndPoint DefaultListen = new(IPAddress.Loopback, DefaultPort);

    public bool Enabled { get; init; }

    public IPEndPoint Listen { get; init; } = DefaultListen;
}
