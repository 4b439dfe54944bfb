using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TrafficMonitor.Configuration;
using TrafficMonitor.Configuration.Sections;
using TrafficMonitor.Hosting;

namespace TrafficMonitor.Metrics;

/// <summary>
/// Serves <c>/metrics</c> and the status page on <c>metrics.listen</c> while the daemon runs. An address that cannot be
/// bound is logged and monitoring carries on without the endpoint: the quota matters more than its dashboard.
/// </summary>
public sealed partial class MetricsService(MetricsSource source, MetricsOptions options, ILogger<MetricsService> logger) : IHostedService, IAsyncDisposable
{
    private MetricsHttpServer? _server;

    /// <summary>Where the endpoint listens (the port chosen when the settings said 0); null when it could not bind.</summary>
    public System.Net.IPEndPoint? LocalEndPoint => _server?.LocalEndPoint;

    internal HttpLimits Limits { get; init; } = HttpLimits.Default;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _server = new MetricsHttpServer(options.Listen, source.Respond, Limits, logger);
            _server.Start();
            LogListening(MetricsSection.Format(_server.LocalEndPoint));
        }
        catch (SocketException e)
        {
            LogBindFailed(MetricsSection.Format(options.Listen), e.Message);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync().ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _server, null) is { } server)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = LogEvents.MetricsListening, Level = LogLevel.Information,
        Message = "Metrics on http://{Endpoint}/metrics, status page on http://{Endpoint}/")]
    private partial void LogListening(string endpoint);

    [LoggerMessage(EventId = LogEvents.MetricsBindFailed, Level = LogLevel.Error,
        Message = "The metrics endpoint cannot listen on {Endpoint}: {Reason}. Monitoring goes on without it; free the port or set another metrics.listen, then reload (SIGHUP)")]
    private partial void LogBindFailed(string endpoint, string reason);
}

public static class MetricsRegistration
{
    /// <summary>The endpoint, when <c>metrics</c> enables it; a hosted service, so only the daemon's host runs it.</summary>
    public static IServiceCollection AddMetricsEndpoint(this IServiceCollection services, TrafficMonitorSettings settings)
    {
        if (settings.Metrics.Enabled)
        {
            services.AddSingleton(settings.Metrics);
            services.AddSingleton<MetricsSource>();
            services.AddSingleton<MetricsService>();
            services.AddHostedService(sp => sp.GetRequiredService<MetricsService>());
        }

        return services;
    }
}
