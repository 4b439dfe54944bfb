using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TrafficMonitor.Configuration;
using TrafficMonitor.Enforcement;
using TrafficMonitor.Enforcement.Linux;
using TrafficMonitor.Monitoring;
using TrafficMonitor.Notifications.Outbox;
using TrafficMonitor.Platform;
using TrafficMonitor.State;
using TrafficMonitor.Usage;
using TrafficMonitor.Usage.Calibration;
using TrafficMonitor.Usage.ProviderApi;
using TrafficMonitor.Usage.SystemCounters;
using TrafficMonitor.Usage.VnStat;

namespace TrafficMonitor.Hosting;

/// <summary>
/// The parts the read-only commands use (<c>status</c>, <c>history</c>, <c>set-usage</c>, and <c>pause</c>, <c>resume</c>,
/// <c>revert-all</c> handing a request to the running monitor), each built with <c>new</c>
/// when first asked for, with no service container: in the native binary the container builds its generic types at
/// run time (<c>ILogger&lt;T&gt;</c>, <c>IEnumerable&lt;T&gt;</c>, options), which was most of <c>status</c>'s start-up.
/// How the usage source, the interface counters and the enforcement steps are chosen is shared with
/// <see cref="ServiceRegistration"/> (the daemon's and the acting commands' container), so both build the same pipeline.
/// </summary>
/// <param name="replacements">
/// Instances registered by the test hook of <see cref="Cli.CliApplication"/> (a <see cref="TimeProvider"/>, say): they
/// stand in for the default of their type, as in the container.
/// </param>
public sealed class CommandParts(TrafficMonitorSettings settings, RunMode runMode, ILoggerFactory loggers, Action<IServiceCollection>? replacements = null)
    : IServiceProvider, IDisposable
{
    private readonly Dictionary<Type, object> _replaced = Replacements(replacements);
    private readonly Dictionary<Type, object> _built = [];
    private readonly List<IDisposable> _owned = [];

    public TimeProvider Time => Part(() => TimeProvider.System);

    public HostPlatform Platform => Part(() => HostPlatform.Current);

    public IProcessRunner ProcessRunner => Part<IProcessRunner>(() => new ProcessRunner());

    public IShutdownCommand ShutdownCommand => Part(() => Platform.Shutdown);

    public IInterfaceCounters InterfaceCounters => Part(() => InterfaceCountersRegistration.Create(Platform, Time));

    public CalibrationStore CalibrationStore => Part(() => new CalibrationStore(settings.Monitor.StateDir, Logger<CalibrationStore>()));

    public SystemUsageSource SystemUsage => Part(() => Own(new SystemUsageSource(
        InterfaceCounters, new LedgerStore(settings.Monitor.StateDir, Time, Logger<LedgerStore>()), settings.Monitor, runMode, Time, Logger<SystemUsageSource>(), Platform)));

    public VnStatUsageSource VnStatUsage => Part(() => new VnStatUsageSource(
        settings.VnStat, settings.Monitor, ProcessRunner, Time, Logger<VnStatUsageSource>(), Platform, new VnStatLiveCounters(settings.VnStat, Time), InterfaceCounters));

    public AutoUsageSource AutoUsage => Part(() => new AutoUsageSource(VnStatUsage, SystemUsage, Logger<AutoUsageSource>()));

    /// <summary>The counters <c>monitor.provider</c> picks.</summary>
    private IUsageSource OwnCounters => UsageSources.OwnCounters(settings.Monitor, () => SystemUsage, () => VnStatUsage, () => AutoUsage);

    /// <summary>The source a check reads: the own counters (or the provider's meter filled in by them), calibrated.</summary>
    public CalibratedUsageSource Usage => Part(() => new CalibratedUsageSource(
        settings.ProviderApi is { } api ? ProviderUsage(api) : OwnCounters,
        CalibrationStore,
        settings.Monitor));

    public StateStore StateStore => Part(() => new StateStore(settings.Monitor.StateDir, Time, Logger<StateStore>()));

    public StateFallback StateFallback => Part(() => new StateFallback(settings.Monitor.StateDir, RuntimeDirectory.Root(Environment.GetEnvironmentVariable)));

    public HistoryStore HistoryStore => Part(() => new HistoryStore(settings.Monitor.StateDir, Time, Logger<HistoryStore>()));

    public OutboxStore Outbox => Part(() => new OutboxStore(settings.Monitor.StateDir, persist: runMode.KeepsState, Time, Logger<OutboxStore>()));

    public EnforcementRequests EnforcementRequests => Part(() => new EnforcementRequests(settings.Monitor.StateDir, Logger<EnforcementRequests>()));

    public EnforcementSteps EnforcementSteps => Part(() => new EnforcementSteps(settings, this));

    /// <summary>
    /// What the steps' factories ask for (<see cref="StepKinds"/>: the thresholds and monitor options, the process
    /// runner, the OS shutdown, the usage source and clock the kernel quota sizes itself from, the interface counters a
    /// throttle picks from, their loggers). A kind that asks for more gets null here, and its factory says which service.
    /// </summary>
    public object? GetService(Type serviceType) =>
        serviceType == typeof(ThresholdsOptions) ? settings.Thresholds
        : serviceType == typeof(MonitorOptions) ? settings.Monitor
        : serviceType == typeof(IProcessRunner) ? ProcessRunner
        : serviceType == typeof(IShutdownCommand) ? ShutdownCommand
        : serviceType == typeof(IUsageSource) ? Usage
        : serviceType == typeof(TimeProvider) ? Time
        : serviceType == typeof(HostPlatform) ? Platform
        : serviceType == typeof(IInterfaceCounters) ? InterfaceCounters
        : serviceType == typeof(ILogger<QuotaStep>) ? Logger<QuotaStep>()
        : serviceType == typeof(ILogger<ThrottleStep>) ? Logger<ThrottleStep>()
        : null;

    public void Dispose()
    {
        foreach (var part in _owned)
        {
            part.Dispose();
        }
    }

    private ProviderUsageSource ProviderUsage(ProviderApiOptions api)
    {
        var client = Own(new ProviderApiClient());
        return new ProviderUsageSource(
            OwnCounters,
            Part(() => ProviderMeters.Create(api, client.Http, Time)),
            new ProviderStore(settings.Monitor.StateDir, Logger<ProviderStore>()),
            api,
            settings.Thresholds,
            settings.Monitor,
            runMode,
            Time,
            Logger<ProviderUsageSource>());
    }

    private T Part<T>(Func<T> build)
        where T : class
    {
        if (_replaced.TryGetValue(typeof(T), out var replaced) || _built.TryGetValue(typeof(T), out replaced))
        {
            return (T)replaced;
        }

        var part = build();
        _built[typeof(T)] = part;
        return part;
    }

    private T Own<T>(T part)
        where T : IDisposable
    {
        _owned.Add(part);
        return part;
    }

    private Logger<T> Logger<T>() => new(loggers);

    private static Dictionary<Type, object> Replacements(Action<IServiceCollection>? replacements)
    {
        var registered = new ServiceCollection();
        replacements?.Invoke(registered);
        var instances = new Dictionary<Type, object>();
        foreach (var descriptor in registered)
        {
            // The last registration of a type wins, as in the container.
            instances[descriptor.ServiceType] = descriptor.ImplementationInstance
                ?? throw new NotSupportedException($"{descriptor.ServiceType}: a short command takes replacements as instances only");
        }

        return instances;
    }
}
