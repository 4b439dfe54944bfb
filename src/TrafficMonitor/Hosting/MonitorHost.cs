using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TrafficMonitor.Configuration;
using TrafficMonitor.Enforcement;
using TrafficMonitor.Monitoring;
using TrafficMonitor.Notifications;
using TrafficMonitor.Platform.Services;

namespace TrafficMonitor.Hosting;

/// <summary>
/// Builds what a command runs in: the daemon's host (<see cref="MonitorService"/> until stopped) or a plain service
/// provider for a one-shot command. <c>configureServices</c> runs after the pipeline is registered, so a test can replace any part.
/// </summary>
public static class MonitorHost
{
    /// <summary>The daemon: checks on the monitor's cadence until SIGTERM/SIGINT, then lets the check in progress finish.</summary>
    public static IHost Build(TrafficMonitorSettings settings, RunMode runMode, LogLevel level, Action<IServiceCollection>? configureServices = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddTrafficMonitorConsole(level);
        builder.Services.AddTrafficMonitor(settings, runMode);
        configureServices?.Invoke(builder.Services);
        builder.Services.AddHostedService<MonitorService>();
        builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);
        if (OperatingSystem.IsWindows())
        {
            // Started by the service control manager: its stop request stops the host as SIGTERM does. Started from a
            // console it does nothing. (No SIGHUP on Windows, so one host per process, as the service lifetime needs.)
            builder.Services.AddWindowsService(options => options.ServiceName = ServiceDefinition.Name);
        }

        builder.Services.AddOptions<HostOptions>()
            .Configure<IEnumerable<INotificationChannel>>((options, channels) => options.ShutdownTimeout = LongestCheck(channels, settings));
        return builder.Build();
    }

    /// <summary>A one-shot command's services: the same pipeline, no hosted service and no signal handling.</summary>
    public static ServiceProvider BuildServices(TrafficMonitorSettings settings, RunMode runMode, LogLevel level, Action<IServiceCollection>? configureServices = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddTrafficMonitorConsole(level));
        services.AddTrafficMonitor(settings, runMode);
        configureServices?.Invoke(services);
        return services.BuildServiceProvider();
    }

    /// <summary>
    /// How long a stop request waits for the check in progress: usage read, two delivery rounds and the actions (every
    /// step of a ladder may act in one check), with room to spare.
    /// </summary>
    private static TimeSpan LongestCheck(IEnumerable<INotificationChannel> channels, TrafficMonitorSettings settings)
    {
        var notification = channels.Select(c => c.Timeout).Append(TimeSpan.Zero).Max() + TimeSpan.FromSeconds(1);
        var actions = settings.Rules.Count == 0
            ? ShutdownStep.CommandTimeout
            : settings.Rules.Aggregate(TimeSpan.Zero, (sum, rule) => sum + (rule.Options is CommandStepOptions command ? command.Timeout : ShutdownStep.CommandTimeout));
        return VnStatOptions.CommandTimeout + (2 * notification) + actions + TimeSpan.FromSeconds(10);
    }
}
