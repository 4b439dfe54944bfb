using TrafficMonitor.Notifications;

namespace TrafficMonitor.Tests.Notifications;

/// <summary>How every notification text reads: dates in ISO 8601, sentences that end in exactly one period.</summary>
public sealed class MessageComposerTests
{
    private static readonly DateTimeOffset Since = new(2026, 11, 14, 9, 30, 0, TimeSpan.FromHours(2));

    public static TheoryData<string> ActionsEndingInPunctuation => ["runs /usr/local/bin/stop-traffic.sh.", "the server shuts down in 1m.", "stop it!"];

    private static readonly TrafficMonitor.Quota.Forecast Forecast = new(
        5 * Samples.GiB, 120 * Samples.GiB, 84 * Samples.GiB, new DateTimeOffset(2026, 11, 24, 15, 30, 0, TimeSpan.Zero), new DateOnly(2026, 11, 24), false, 16, 3 * Samples.GiB, 48);

    [Fact]
    public void ForecastCritical_SaysTheDayAndTheBudgetThatAvoidsIt_OneIdPerDay()
    {
        var n = MessageComposer.ForecastCritical(Samples.Snapshot(), Forecast, "the server shuts down in 1 min", false, Samples.Now);

        Assert.Equal(NotificationKind.ForecastCritical, n.Kind);
        Assert.Equal("forecast_critical", n.EventName);
        Assert.Contains("critical point is reached on 2026-11-24", n.Subject, StringComparison.Ordinal);
        Assert.Contains("(about 2026-11-24T15:30:00Z)", n.Body, StringComparison.Ordinal);
        Assert.Contains("keep to 3 GiB a day for the 16 day(s) left", n.Body, StringComparison.Ordinal);
        Assert.Equal("forecast-20261101-20261124", n.Id);
    }

    [Fact]
    public void MonitoringDegraded_Since_IsAnIso8601UtcTime()
    {
        var n = MessageComposer.MonitoringDegraded("web-1", 3, Since, "vnStat failed.", false, Samples.Now);

        Assert.Contains("(since 2026-11-14T07:30:00Z):", n.Body, StringComparison.Ordinal);
        AssertNoDoublePeriod(n);
    }

    [Fact]
    public void MonitoringRecovered_Since_IsAnIso8601UtcTime()
    {
        var n = MessageComposer.MonitoringRecovered(Samples.Snapshot(), Since, false, Samples.Now);

        Assert.Contains("(it could not from 2026-11-14T07:30:00Z).", n.Body, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ActionsEndingInPunctuation))]
    public void EveryMessageNamingTheAction_ActionEndsInPunctuation_NeverEndsASentenceInADoublePeriod(string action)
    {
        var snapshot = Samples.Snapshot(91 * Samples.GiB);

        AssertNoDoublePeriod(MessageComposer.StageReached(snapshot, 80 * Samples.GiB, action, false, Samples.Now));
        AssertNoDoublePeriod(MessageComposer.CriticalReached(snapshot, action, true, Samples.Now));
        AssertNoDoublePeriod(MessageComposer.ActionRun(snapshot, action, 1, false, Samples.Now));
        AssertNoDoublePeriod(MessageComposer.ActionFailed(snapshot, action, "'stop' exited with code 1: refused.", false, Samples.Now));
        AssertNoDoublePeriod(MessageComposer.ForecastCritical(Samples.Snapshot(), Forecast, action, false, Samples.Now));
        Assert.Contains($"Action: {action}{Environment.NewLine}", MessageComposer.CriticalReached(snapshot, action, false, Samples.Now).Body, StringComparison.Ordinal);
    }

    [Fact]
    public void CriticalReached_PlainAction_EndsTheSentenceWithOnePeriod() =>
        Assert.Contains($"Action: the server shuts down in 1m.{Environment.NewLine}", Samples.Critical().Body, StringComparison.Ordinal);

    private static void AssertNoDoublePeriod(Notification n)
    {
        Assert.DoesNotContain("..", n.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain("..", n.Body.Replace("...", "…", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("!.", n.Body, StringComparison.Ordinal);
    }
}
