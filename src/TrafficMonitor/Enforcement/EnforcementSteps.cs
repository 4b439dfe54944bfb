using Microsoft.Extensions.DependencyInjection;
using TrafficMonitor.Configuration;
using TrafficMonitor.Platform;
using TrafficMonitor.Quota;
using TrafficMonitor.State;

namespace TrafficMonitor.Enforcement;

/// <summary>
/// The configured steps and where each starts: the shutdown at the critical point, or one step per rule of the ladder.
/// What a check acts on (<see cref="Enforcer"/>) and what <c>status</c> shows, without the notifier and runner a
/// check needs to act, so a read-only command builds only this.
/// </summary>
public sealed class EnforcementSteps
{
    private readonly TrafficMonitorSettings _settings;

    /// <param name="services">What a step's factory asks for: <see cref="ThresholdsOptions"/>, the process runner, the OS shutdown.</param>
    public EnforcementSteps(TrafficMonitorSettings settings, IServiceProvider services)
    {
        _settings = settings;
        // Rules were checked against StepKinds when the settings loaded: only known kinds this OS runs get here.
        All = settings.Rules.Count == 0
            ? [new ShutdownStep(settings.Shutdown, settings.Thresholds, services.GetRequiredService<IProcessRunner>(), services.GetRequiredService<IShutdownCommand>())]
            : settings.Rules.Select(rule => StepKinds.All[rule.Kind].Create(rule, services)).ToList();
    }

    public IReadOnlyList<IEnforcementStep> All { get; }

    /// <summary>Whether the steps are a ladder (<c>actions.rules</c>) rather than the shutdown at the critical point.</summary>
    public bool IsLadder => _settings.Rules.Count > 0;

    /// <summary>
    /// Whether these settings can shut the machine down: the shutdown at the critical point when it is enabled, or a
    /// ladder's <c>do: shutdown</c> rule (<c>actions.shutdown</c> then only holds that rule's defaults).
    /// </summary>
    public static bool ShutsDown(TrafficMonitorSettings settings) =>
        settings.Rules.Count == 0 ? settings.Shutdown.Enabled : settings.Rules.Any(r => r.Kind == ShutdownStepOptions.Kind);

    /// <summary>The enabled steps, as the policy sees them.</summary>
    public IReadOnlyList<EnforcementStep> Plan => All.Where(s => s.Enabled).Select(s => s.Plan).ToList();

    /// <summary>
    /// The enabled steps under the thresholds in force: with <c>total_limit: provider</c> the shutdown's critical point
    /// and each rule written as a percentage follow the provider's limit; otherwise the same as <see cref="Plan"/>.
    /// </summary>
    public IReadOnlyList<EnforcementStep> PlanFor(ThresholdsOptions thresholds) =>
        All.Where(s => s.Enabled).Select(s => s.Plan with { AtBytes = PointOf(s, thresholds) }).ToList();

    /// <summary>Where a step starts under <paramref name="thresholds"/> (see <see cref="PlanFor"/>).</summary>
    public long PointOf(IEnforcementStep step, ThresholdsOptions thresholds)
    {
        if (ReferenceEquals(thresholds, _settings.Thresholds))
        {
            return step.Plan.AtBytes;
        }

        if (!IsLadder)
        {
            return step.Id == ShutdownStep.StepId ? thresholds.CriticalBytes : step.Plan.AtBytes;
        }

        return _settings.Rules.FirstOrDefault(r => r.Id == step.Id) is { } rule ? rule.StartsIn(thresholds) : step.Plan.AtBytes;
    }

    public QuotaProgress Progress(ThresholdsOptions thresholds, MonitorState state, BillingPeriod period) =>
        QuotaProgress.Of(thresholds, state, period, All.Select(s => new StepView(s.Id, s.Enabled, s.Command, s.Kind, PointOf(s, thresholds), s.Plan.Revertible) { StopsAtBytes = s.StopsAtBytes }));

    /// <summary>
    /// What the fast checks aim at besides the stages: where each step is applied and, for a step that acts ahead of
    /// its point (the kernel quota), where it stops traffic, so the quota is refreshed often as traffic nears it.
    /// </summary>
    public IReadOnlyList<long> TargetsFor(ThresholdsOptions thresholds) =>
        [.. PlanFor(thresholds).Select(p => p.AtBytes), .. All.Where(s => s.Enabled && s.StopsAtBytes is not null).Select(s => s.StopsAtBytes!.Value)];
}
