namespace TrafficMonitor.Notifications;

/// <summary>What a kind of notification is, everywhere it shows.</summary>
/// <param name="EventName">The event's name in payloads (docs/notifications.md): stage_reached, critical_reached, …</param>
/// <param name="Urgent">Delivered before others of the same check (the critical action waits for them).</param>
/// <param name="Priority">How loudly push services announce it, on ntfy's scale: 5 is urgent, 3 the default.</param>
/// <param name="Tag">The ntfy tag, which ntfy shows as an emoji.</param>
public sealed record NotificationKindInfo(string EventName, bool Urgent, int Priority, string Tag);

/// <summary>The one place that classifies <see cref="NotificationKind"/>: a new kind is described here and nowhere else.</summary>
public static class NotificationKinds
{
    private static readonly NotificationKindInfo StageReached = new("stage_reached", Urgent: false, Priority: 4, "warning");
    private static readonly NotificationKindInfo CriticalReached = new("critical_reached", Urgent: true, Priority: 5, "rotating_light");
    private static readonly NotificationKindInfo ActionRun = new("action_run", Urgent: false, Priority: 4, "bar_chart");
    private static readonly NotificationKindInfo ActionFailed = new("action_failed", Urgent: true, Priority: 5, "rotating_light");
    private static readonly NotificationKindInfo MonitoringDegraded = new("monitoring_degraded", Urgent: false, Priority: 5, "rotating_light");
    private static readonly NotificationKindInfo MonitoringRecovered = new("monitoring_recovered", Urgent: false, Priority: 3, "bar_chart");
    private static readonly NotificationKindInfo NewPeriod = new("new_period", Urgent: false, Priority: 3, "bar_chart");
    private static readonly NotificationKindInfo DailyReport = new("daily_report", Urgent: false, Priority: 3, "bar_chart");
    private static readonly NotificationKindInfo ForecastCritical = new("forecast_critical", Urgent: false, Priority: 4, "chart_with_upwards_trend");
    private static readonly NotificationKindInfo Test = new("test", Urgent: false, Priority: 3, "bar_chart");
    private static readonly NotificationKindInfo ProviderDisagrees = new("provider_disagrees", Urgent: false, Priority: 4, "warning");
    private static readonly NotificationKindInfo ProviderUnavailable = new("provider_unavailable", Urgent: false, Priority: 3, "warning");

    // The enforcement ladder's steps (actions.rules): applying one changes what the server can do, so it is loud.
    private static readonly NotificationKindInfo StepApplied = new("step_applied", Urgent: false, Priority: 4, "no_entry");
    private static readonly NotificationKindInfo StepReverted = new("step_reverted", Urgent: false, Priority: 3, "white_check_mark");
    private static readonly NotificationKindInfo StepFailed = new("step_failed", Urgent: true, Priority: 5, "rotating_light");

    public static NotificationKindInfo Describe(this NotificationKind kind) => kind switch
    {
        NotificationKind.StageReached => StageReached,
        NotificationKind.CriticalReached => CriticalReached,
        NotificationKind.ActionRun => ActionRun,
        NotificationKind.ActionFailed => ActionFailed,
        NotificationKind.MonitoringDegraded => MonitoringDegraded,
        NotificationKind.MonitoringRecovered => MonitoringRecovered,
        NotificationKind.NewPeriod => NewPeriod,
        NotificationKind.DailyReport => DailyReport,
        NotificationKind.ForecastCritical => ForecastCritical,
        NotificationKind.Test => Test,
        NotificationKind.StepApplied => StepApplied,
        NotificationKind.StepReverted => StepReverted,
        NotificationKind.StepFailed => StepFailed,
        NotificationKind.ProviderDisagrees => ProviderDisagrees,
        NotificationKind.ProviderUnavailable => ProviderUnavailable,
        // Not a named kind (only a cast makes one): announced as plainly as a test.
        _ => Test,
    };
}
