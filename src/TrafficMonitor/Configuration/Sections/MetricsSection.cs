using System.Net;
using System.Text;
using TrafficMonitor.Configuration.Yaml;
using static TrafficMonitor.Configuration.Sections.SettingsText;

namespace TrafficMonitor.Configuration.Sections;

/// <summary>
/// The optional <c>metrics</c> section: <c>enabled: true</c> serves on 127.0.0.1:9721; <c>listen</c> alone also
/// enables it; <c>enabled: false</c> wins over a <c>listen</c>.
/// </summary>
internal static class MetricsSection
{
    public static MetricsOptions Read(SectionReader top)
    {
        var section = top.Section(MetricsOptions.SectionName);
        var enabled = section.Bool("enabled");
        var listen = section.String("listen");
        section.ReportUnknownKeys();
        IPEndPoint? endpoint = null;
        if (listen is not null)
        {
            endpoint = ParseListen(listen);
            if (endpoint is null)
            {
                section.Problem("listen", $"{Quoted.Value(listen)} is not an address and port: write it as \"127.0.0.1:9721\" (or \"[::1]:9721\"; " +
                                          "\"0.0.0.0:9721\" serves every interface)");
            }
        }

        return new MetricsOptions
        {
            Enabled = enabled ?? listen is not null,
            Listen = endpoint ?? MetricsOptions.DefaultListen,
        };
    }

    /// <summary>An IP literal with a port ("localhost" is taken as 127.0.0.1): nothing is looked up when the settings load.</summary>
    internal static IPEndPoint? ParseListen(string text)
    {
        text = text.Trim();
        if (text.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase))
        {
            text = "127.0.0.1" + text["localhost".Length..];
        }

        // IPEndPoint.TryParse takes "::1" (no port) as an address with port 0: insist on an explicit port.
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1 || (text.StartsWith('[') && text[colon - 1] != ']') ||
            (!text.StartsWith('[') && text.IndexOf(':') != colon))
        {
            return null;
        }

        return IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port > 0 ? endpoint : null;
    }

    public static string Format(IPEndPoint endpoint) => endpoint.ToString();

    public static void Print(MetricsOptions metrics, StringBuilder text)
    {
        text.AppendLine($"{MetricsOptions.SectionName}:");
        Line(text, 1, "enabled", metrics.Enabled ? "true" : "false");
        Line(text, 1, "listen", $"\"{Format(metrics.Listen)}\"   # /metrics (Prometheus) and / (status page)");
    }

    public static IEnumerable<string> Warnings(MetricsOptions metrics)
    {
        if (metrics.Enabled && !IPAddress.IsLoopback(metrics.Listen.Address))
        {
            yield return $"{MetricsOptions.SectionName}.listen: {Format(metrics.Listen)} is reachable from other machines, and the endpoint has no " +
                         "authentication: it shows usage, limits and what the monitor does. Keep it to loopback (127.0.0.1:9721) and scrape " +
                         "through a tunnel or a reverse proxy, or firewall the port to your Prometheus";
        }
    }
}
