using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using TrafficMonitor.Configuration;
using TrafficMonitor.Enforcement;
using TrafficMonitor.Metrics;
using TrafficMonitor.Monitoring;
using TrafficMonitor.Notifications;
using TrafficMonitor.Notifications.Email;
using TrafficMonitor.Notifications.Http;
using TrafficMonitor.Notifications.Outbox;
using TrafficMonitor.Platform;
using TrafficMonitor.State;
using TrafficMonitor.Usage;
using TrafficMonitor.Usage.Calibration;
using TrafficMonitor.Usage.ProviderApi;
using TrafficMonitor.Usage.SystemCounters;
using TrafficMonitor.Usage.VnStat;

namespace TrafficMonitor.Hosting;

public static class ServiceRegistration
{
    /// <summary>Registers the whole pipeline (usage → policy → notifications and actions, state beside) for one settings file.</summary>
    public static IServiceCollection AddTrafficMonitor(this IServiceCollection services, TrafficMonitorSettings settings, RunMode runMode)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IProcessRunner, ProcessRunner>();
        services.TryAddSingleton(ProcessIdentity.Current);
        services.TryAddSingleton(sp => SystemBoot.FromUptime(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(HostPlatform.Current);
        services.AddSingleton(settings);
        services.AddSingleton(settings.Thresholds);
        services.AddSingleton(settings.Monitor);
        services.AddSingleton(settings.VnStat);
        services.AddSingleton(settings.Shutdown);
        services.AddSingleton(runMode);

        services.AddInterfaceCounters();
        services.AddSingleton(sp => new LedgerStore(
            settings.Monitor.StateDir, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<LedgerStore>>()));
        services.AddSingleton(sp => new CalibrationStore(settings.Monitor.StateDir, sp.GetRequiredService<ILogger<CalibrationStore>>()));
        services.AddSingleton<SystemUsageSource>();
        services.AddSingleton(sp => new VnStatLiveCounters(settings.VnStat, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new VnStatUsageSource(
            settings.VnStat,
            settings.Monitor,
            sp.GetRequiredService<IProcessRunner>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<VnStatUsageSource>>(),
            sp.GetRequiredService<HostPlatform>(),
            sp.GetRequiredService<VnStatLiveCounters>(),
            sp.GetRequiredService<IInterfaceCounters>()));
        services.AddSingleton<AutoUsageSource>();

        IUsageSource OwnCounters(IServiceProvider sp) => UsageSources.OwnCounters(
            settings.Monitor, sp.GetRequiredService<SystemUsageSource>, sp.GetRequiredService<VnStatUsageSource>, sp.GetRequiredService<AutoUsageSource>);

        // With provider_api, the provider's meter counts and the own counters fill in since its last reading.
        if (settings.ProviderApi is { } api)
        {
            AddProviderApi(services, settings, api, runMode, OwnCounters);
        }

        services.AddSingleton(sp => new CalibratedUsageSource(
            settings.ProviderApi is null ? OwnCounters(sp) : sp.GetRequiredService<ProviderUsageSource>(),
            sp.GetRequiredService<CalibrationStore>(),
            settings.Monitor));
        services.AddSingleton<IUsageSource>(sp => sp.GetRequiredService<CalibratedUsageSource>());

        services.AddSingleton(sp => new StateStore(
            settings.Monitor.StateDir, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<StateStore>>()));
        services.AddSingleton(sp => new HistoryStore(
            settings.Monitor.StateDir, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<HistoryStore>>()));
        services.AddSingleton(new StateFallback(settings.Monitor.StateDir, RuntimeDirectory.Root(Environment.GetEnvironmentVariable)));
        services.AddSingleton<StateKeeper>();

        services.AddSingleton(settings.Notifications);
        services.AddSingleton(sp => new OutboxStore(
            settings.Monitor.StateDir, persist: runMode.KeepsState, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<OutboxStore>>()));
        AddNotificationChannels(services, settings);

        services.AddSingleton<NotificationDispatcher>();
        services.AddSingleton<DeliveryPump>();
        services.AddSingleton<QuotaNotifier>();
        services.TryAddSingleton(sp => sp.GetRequiredService<HostPlatform>().Shutdown);
        services.AddSingleton(sp => new EnforcementSteps(settings, sp));
        // Each step is a service too (IEnumerable<IEnforcementStep>), the same instance the enforcer acts on.
        for (var i = 0; i < Math.Max(1, settings.Rules.Count); i++)
        {
            var index = i;
            services.AddSingleton(sp => sp.GetRequiredService<EnforcementSteps>().All[index]);
        }

        services.AddSingleton(sp => new EnforcementRequests(settings.Monitor.StateDir, sp.GetRequiredService<ILogger<EnforcementRequests>>()));
        services.AddSingleton<Enforcer>();
        services.AddSingleton<QuotaCheck>();
        services.AddMetricsEndpoint(settings);
        return services;
    }

    private static void AddProviderApi(
        IServiceCollection services, TrafficMonitorSettings settings, ProviderApiOptions api, RunMode runMode, Func<IServiceProvider, IUsageSource> ownCounters)
    {
        services.AddSingleton(api);
        services.AddSingleton<ProviderApiClient>();
        services.TryAddSingleton(sp => ProviderMeters.Create(api, sp.GetRequiredService<ProviderApiClient>().Http, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new ProviderStore(settings.Monitor.StateDir, sp.GetRequiredService<ILogger<ProviderStore>>()));
        services.AddSingleton(sp => new ProviderUsageSource(
            ownCounters(sp),
            sp.GetRequiredService<IProviderMeter>(),
            sp.GetRequiredService<ProviderStore>(),
            api,
            settings.Thresholds,
            settings.Monitor,
            runMode,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ProviderUsageSource>>()));
    }

    private static void AddNotificationChannels(IServiceCollection services, TrafficMonitorSettings settings)
    {
        if (settings.Email is { } email)
        {
            services.AddSingleton<INotificationChannel>(new EmailChannel(email));
        }

        if (settings.Webhooks.Count == 0 && settings.Telegram is null)
        {
            return;
        }

        // One client for every HTTP channel: it follows no redirect, so headers and tokens stay with the configured address.
        services.TryAddSingleton(_ => NotificationHttpClient.Create());
        foreach (var webhook in settings.Webhooks)
        {
            services.AddSingleton<INotificationChannel>(sp => new WebhookChannel(webhook, sp.GetRequiredService<HttpClient>(), sp.GetRequiredService<TimeProvider>()));
        }

        if (settings.Telegram is { } telegram)
        {
            services.AddSingleton<INotificationChannel>(sp => new TelegramChannel(telegram, sp.GetRequiredService<HttpClient>(), sp.GetRequiredService<TimeProvider>()));
        }
    }
}
