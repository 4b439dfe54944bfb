using TrafficMonitor.Metrics;
using static TrafficMonitor.Tests.Metrics.MetricsSamples;

namespace TrafficMonitor.Tests.Metrics;

public sealed class PrometheusTextTests
{
    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Write_FixedSnapshot_GivesTheNumbersInBaseUnits()
    {
        var lines = Lines(PrometheusText.Write(View()));

        Assert.Contains("traffic_monitor_period_receive_bytes 536870912000", lines);
        Assert.Contains("traffic_monitor_period_transmit_bytes 107374182400", lines);
        Assert.Contains("traffic_monitor_period_counted_bytes 644245094400", lines);
        Assert.Contains("traffic_monitor_limit_bytes 2147483648000", lines);
        Assert.Contains("traffic_monitor_critical_bytes 1932735283200", lines);
        Assert.Contains("traffic_monitor_interval_bytes 107374182400", lines);
        Assert.Contains("traffic_monitor_stage_reached_bytes 644245094400", lines);
        Assert.Contains("traffic_monitor_next_stage_bytes 751619276800", lines);
        Assert.Contains("traffic_monitor_critical_reached 0", lines);
        Assert.Contains("traffic_monitor_period_start_timestamp_seconds 1793491200", lines);
        Assert.Contains("traffic_monitor_period_end_timestamp_seconds 1796083200", lines);
        Assert.Contains("traffic_monitor_last_successful_check_timestamp_seconds 1794787200", lines);
        Assert.Contains("traffic_monitor_check_interval_seconds 60", lines);
        Assert.Contains("traffic_monitor_interface_period_receive_bytes{interface=\"eth1\"} 1073741824", lines);
        Assert.Contains("traffic_monitor_usage_source_info{source=\"vnstat\",count=\"total\"} 1", lines);
    }

    [Fact]
    public void Write_HalfThePeriodGone_ForecastsTwiceTheUsage()
    {
        // 15 of 30 days: the linear estimate is used / elapsed x length, exactly twice.
        Assert.Contains($"traffic_monitor_forecast_bytes {2 * 600 * GiB}", Lines(PrometheusText.Write(View())));
    }

    [Fact]
    public void Write_KernelQuotaStep_GivesWhereItIsArmedWhereItStopsTrafficAndWhetherItIsInForce()
    {
        var quota = new TrafficMonitor.Quota.StepStatus("quota@100%", true, [], CheckedAt, 1, 0) { Kind = "quota", AtBytes = 980 * GiB, StopsAtBytes = 1000 * GiB, Revertible = true, InForce = true };
        var lines = Lines(PrometheusText.Write(View(Snapshot() with { Progress = Snapshot().Progress! with { Steps = [quota] } })));

        Assert.Contains($"traffic_monitor_step_at_bytes{{step=\"quota@100%\"}} {980 * GiB}", lines);
        Assert.Contains($"traffic_monitor_step_stops_at_bytes{{step=\"quota@100%\"}} {1000 * GiB}", lines);
        Assert.Contains("traffic_monitor_step_in_force{step=\"quota@100%\"} 1", lines);
    }

    [Fact]
    public void Write_Steps_GivesEachStepsState()
    {
        var ranAt = CheckedAt.AddHours(-1);
        var lines = Lines(PrometheusText.Write(View(Snapshot(shutdownRanAt: ranAt))));

        Assert.Contains("traffic_monitor_step_enabled{step=\"shutdown\"} 1", lines);
        Assert.Contains("traffic_monitor_step_applied{step=\"shutdown\"} 1", lines);
        Assert.Contains("traffic_monitor_step_runs{step=\"shutdown\"} 1", lines);
        Assert.Contains("traffic_monitor_step_failures{step=\"shutdown\"} 0", lines);
        Assert.Contains($"traffic_monitor_step_last_run_timestamp_seconds{{step=\"shutdown\"}} {ranAt.ToUnixTimeSeconds()}", lines);
    }

    [Fact]
    public void Write_Channels_CountsPerChannelWithEscapedLabels()
    {
        var lines = Lines(PrometheusText.Write(View()));

        Assert.Contains("traffic_monitor_notifications_sent_total{channel=\"email\",name=\"email (smtp.example.com:587)\"} 3", lines);
        Assert.Contains("traffic_monitor_notifications_failed_total{channel=\"email\",name=\"email (smtp.example.com:587)\"} 1", lines);
        Assert.Contains("traffic_monitor_notifications_pending{channel=\"email\",name=\"email (smtp.example.com:587)\"} 2", lines);
        // A quote, a backslash and a line feed in a label value are escaped, so one sample stays one line.
        Assert.Contains("traffic_monitor_notifications_pending{channel=\"webhook-abc\",name=\"webhook \\\"ntfy\\\"\\\\x\\nnext\"} 0", lines);
    }

    [Fact]
    public void Write_ProviderFailing_SaysDegradedAfterEnoughChecks()
    {
        Assert.Contains("traffic_monitor_degraded 0", Lines(PrometheusText.Write(View(failuresInARow: 2))));
        var lines = Lines(PrometheusText.Write(View(failuresInARow: 3)));
        Assert.Contains("traffic_monitor_degraded 1", lines);
        Assert.Contains("traffic_monitor_provider_failing_checks 3", lines);
        Assert.Contains("traffic_monitor_provider_errors_total 4", lines);
    }

    [Fact]
    public void Write_BeforeTheFirstCheck_GivesHealthAndBuildButNoUsage()
    {
        var text = PrometheusText.Write(View(noSnapshot: true));

        Assert.Contains("traffic_monitor_build_info{version=\"1.2.3\",runtime=\"", text, StringComparison.Ordinal);
        Assert.Contains("traffic_monitor_provider_errors_total 4", text, StringComparison.Ordinal);
        Assert.DoesNotContain("traffic_monitor_period_counted_bytes", text, StringComparison.Ordinal);
        Assert.DoesNotContain("traffic_monitor_forecast_bytes", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_EveryFamily_HasHelpAndTypeBeforeItsSamples()
    {
        string? family = null;
        foreach (var line in Lines(PrometheusText.Write(View(Snapshot(shutdownRanAt: CheckedAt)))))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                family = line.Split(' ')[2];
                Assert.StartsWith(PrometheusText.Prefix, family, StringComparison.Ordinal);
            }
            else if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                Assert.Equal(family, line.Split(' ')[2]);
                Assert.True(line.Split(' ')[3] is "gauge" or "counter", line);
            }
            else
            {
                Assert.Equal(family, line.Split('{', ' ')[0]);
            }
        }
    }

    [Fact]
    public void Write_FixedSnapshot_PassesPromtoolsLint()
    {
        var (exitCode, output, error) = Promtool.Run(PrometheusText.Write(View(Snapshot(shutdownRanAt: CheckedAt))), "check", "metrics");
        Assert.True(exitCode == 0, $"promtool check metrics exited {exitCode}: {output}{error}");
    }
}
