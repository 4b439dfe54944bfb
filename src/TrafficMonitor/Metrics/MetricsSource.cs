using System.Reflection;
using TrafficMonitor.Configuration;
using TrafficMonitor.Monitoring;
using TrafficMonitor.Notifications;

namespace TrafficMonitor.Metrics;

/// <summary>Gathers a <see cref="MetricsView"/> from what the check and the dispatcher keep in memory: a scrape does no I/O.</summary>
public sealed class MetricsSource(QuotaCheck check, NotificationDispatcher dispatcher, TrafficMonitorSettings settings, TimeProvider timeProvider)
{
    public static readonly string Version =
        typeof(MetricsSource).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public MetricsView Read() => new(
        check.LastSnapshot,
        timeProvider.LocalTimeZone,
        settings.Monitor.CheckInterval,
        check.UsageErrors,
        check.UsageFailuresInARow,
        settings.Notifications.DegradedAfter,
        dispatcher.Counts.Read(),
        Version);

    private readonly Lock _lock = new();
    private (MetricsView View, HttpResponse Response)? _metrics;
    private (MetricsView View, HttpResponse Response)? _page;

    /// <summary>
    /// What the listener answers for each path. Scrapes come several times per check: an answer is written again
    /// only when what it shows changed, so a scrape allocates next to nothing and the idle heap stays small.
    /// </summary>
    public HttpResponse Respond(string path) => path switch
    {
        "/metrics" => Cached(ref _metrics, view => new HttpResponse(200, PrometheusText.ContentType, System.Text.Encoding.UTF8.GetBytes(PrometheusText.Write(view)))),
        "/" => Cached(ref _page, view => new HttpResponse(200, StatusPage.ContentType, System.Text.Encoding.UTF8.GetBytes(StatusPage.Write(view)))),
        _ => HttpResponse.Text(404, "not found: try / (status page) or /metrics (Prometheus)"),
    };

    private HttpResponse Cached(ref (MetricsView View, HttpResponse Response)? cache, Func<MetricsView, HttpResponse> write)
    {
        var view = Read();
        lock (_lock)
        {
            if (cache is { } cached && cached.View.Shows(view))
            {
                return cached.Response;
            }

            var response = write(view);
            cache = (view, response);
            return response;
        }
    }
}
