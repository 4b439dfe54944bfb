namespace TrafficMonitor.Configuration;

/// <summary>Shows a URL as scheme, host and port only, because paths and queries of webhook URLs carry tokens.</summary>
public static class UrlMask
{
    public static string Mask(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Host.Length > 0
            ? $"{uri.Scheme}://{uri.Authority}/{Secret.Mask}"
            : Secret.Mask;
}
