namespace TrafficMonitor.Metrics;

/// <summary>What one client may cost the daemon: a scrape is a few hundred bytes in and a few KiB out, once in a while.</summary>
/// <param name="RequestTimeout">The whole request head must arrive within this (a slow client is cut off, not waited for).</param>
/// <param name="WriteTimeout">The whole response must be taken within this.</param>
/// <param name="MaxRequestBytes">The request line and headers together; more gets 431 and the connection is closed.</param>
/// <param name="MaxConnections">Connections served at once; one more is answered 503 and closed at once.</param>
public sealed record HttpLimits(TimeSpan RequestTimeout, TimeSpan WriteTimeout, int MaxRequestBytes, int MaxConnections)
{
    public static readonly HttpLimits Default = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), 8 * 1024, 16);
}
