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

    /// <summary>What the listener answers for each path.</summary>
    public HttpResponse Respond(string path) => path switch
    {
        "/metrics" => new HttpResponse(200, PrometheusText.ContentType, System.Text.Encoding.UTF8.GetBytes(PrometheusText.Write(Read()))),
        "/" => new HttpResponse(200, StatusPage.ContentType, System.Text.Encoding.UTF8.GetBytes(StatusPage.Write(Read()))),
        _ => HttpResponse.Text(404, "not found: try / (status page) or /metrics (Prometheus)"),
    };
}
