using TrafficMonitor.Notifications;
using TrafficMonitor.Notifications.Http;

namespace TrafficMonitor.Tests.Notifications;

/// <summary>The event names are a documented interface (docs/notifications.md) and the rest decides what wakes someone up: pinned per kind.</summary>
public sealed class NotificationKindsTests
{
    private static readonly Dictionary<NotificationKind, (string EventName, bool Urgent, string Priority, string Tag)> Expected = new()
    {
        [NotificationKind.StageReached] = ("stage_reached", false, "4", "warning"),
        [NotificationKind.CriticalReached] = ("critical_reached", true, "5", "rotating_light"),
        [NotificationKind.ActionRun] = ("action_run", false, "4", "bar_chart"),
        [NotificationKind.ActionFailed] = ("action_failed", true, "5", "rotating_light"),
        [NotificationKind.MonitoringDegraded] = ("monitoring_degraded", false, "5", "rotating_light"),
        [NotificationKind.MonitoringRecovered] = ("monitoring_recovered", false, "3", "bar_chart"),
        [NotificationKind.NewPeriod] = ("new_period", false, "3", "bar_chart"),
        [NotificationKind.DailyReport] = ("daily_report", false, "3", "bar_chart"),
        [NotificationKind.Test] = ("test", false, "3", "bar_chart"),
        [NotificationKind.StepApplied] = ("step_applied", false, "4", "no_entry"),
        [NotificationKind.StepReverted] = ("step_reverted", false, "3", "white_check_mark"),
        [NotificationKind.StepFailed] = ("step_failed", true, "5", "rotating_light"),
        [NotificationKind.ProviderDisagrees] = ("provider_disagrees", false, "4", "warning"),
        [NotificationKind.ProviderUnavailable] = ("provider_unavailable", false, "3", "warning"),
        [NotificationKind.ForecastCritical] = ("forecast_critical", false, "4", "chart_with_upwards_trend"),
    };

    public static TheoryData<NotificationKind> Kinds() => new(Enum.GetValues<NotificationKind>());

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EachKind_HasItsEventNameUrgencyAndNtfyPriorityAndTag(NotificationKind kind)
    {
        var expected = Expected[kind];
        var notification = new Notification($"id-{kind}", kind, "subject", "body", "web-1", null, null, false, Samples.Now);

        var (_, headers) = WebhookPayloads.Ntfy(notification);

        Assert.Equal(expected.EventName, notification.EventName);
        Assert.Equal(expected.Urgent, notification.Urgent);
        Assert.Equal(expected.Priority, Header(headers, "Priority"));
        Assert.Equal(expected.Tag, Header(headers, "Tags"));
    }

    private static string Header(IReadOnlyList<KeyValuePair<string, string>> headers, string name) =>
        Assert.Single(headers, h => h.Key == name).Value;
}
