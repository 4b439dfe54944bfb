namespace TrafficMonitor.Notifications.Http;

/// <summary>
/// The HTTP client every HTTP channel shares. It follows no redirect: a redirected request would carry a webhook's
/// headers (API keys) or Telegram's token URL to wherever the server points, so a 3xx answer is a failed delivery
/// that names where it pointed (see <see cref="HttpDelivery"/>). It sends no cookies and no ambient credentials.
/// </summary>
public static class NotificationHttpClient
{
    public static HttpClient Create()
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            Credentials = null,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };

        // Each request is bounded by its channel's timeout instead of the client's.
        var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("traffic-monitor");
        return client;
    }
}
