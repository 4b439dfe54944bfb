using System.Globalization;
using System.Text;

namespace TrafficMonitor.Metrics;

/// <summary>One HTTP/1.1 response; every connection is closed after it.</summary>
public sealed record HttpResponse(int Status, string ContentType, byte[] Body, string? Allow = null)
{
    public static HttpResponse Text(int status, string text) => new(status, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(text + "\n"));

    public byte[] Head(bool includeBodyLength = true)
    {
        var head = new StringBuilder(256)
            .Append("HTTP/1.1 ").Append(Status.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(Reason(Status)).Append("\r\n")
            .Append("Content-Type: ").Append(ContentType).Append("\r\n")
            .Append("Content-Length: ").Append((includeBodyLength ? Body.Length : 0).ToString(CultureInfo.InvariantCulture)).Append("\r\n")
            .Append("Cache-Control: no-store\r\n")
            .Append("X-Content-Type-Options: nosniff\r\n")
            .Append("Connection: close\r\n");
        if (Allow is not null)
        {
            head.Append("Allow: ").Append(Allow).Append("\r\n");
        }

        if (ContentType.StartsWith("text/html", StringComparison.Ordinal))
        {
            // The page has no script and no external asset: say so to the browser.
            head.Append("Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; img-src data:\r\n");
        }

        return Encoding.ASCII.GetBytes(head.Append("\r\n").ToString());
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Error",
    };
}
