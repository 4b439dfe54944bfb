using TrafficMonitor.Metrics;
using static TrafficMonitor.Tests.Metrics.MetricsSamples;

namespace TrafficMonitor.Tests.Metrics;

public sealed class StatusPageTests
{
    [Fact]
    public void Write_FixedSnapshot_ShowsExactBytesBesideHumanSizes()
    {
        var html = StatusPage.Write(View());

        Assert.Contains("id=\"counted-bytes\">644245094400<", html, StringComparison.Ordinal);
        Assert.Contains("id=\"limit-bytes\">2147483648000<", html, StringComparison.Ordinal);
        Assert.Contains("id=\"critical-bytes\">1932735283200<", html, StringComparison.Ordinal);
        Assert.Contains($"id=\"forecast-bytes\">{1200 * GiB}<", html, StringComparison.Ordinal);
        Assert.Contains("<span id=\"used\">600 GiB</span> of <span id=\"limit\">2000 GiB</span>", html, StringComparison.Ordinal);
        Assert.Contains("<span id=\"period\">2026-11-01 to 2026-11-30</span>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Bar_MarksEveryStageTheCriticalPointAndTheForecast()
    {
        var html = StatusPage.Write(View());

        // 20 stages of 100 GiB up to 2000 GiB, six of them notified; the critical point at 90 %, the forecast at 60 %.
        Assert.Equal(20, Count(html, "<div class=\"stage"));
        Assert.Equal(6, Count(html, "<div class=\"stage notified\""));
        Assert.Contains("id=\"critical-mark\" style=\"left:90%\"", html, StringComparison.Ordinal);
        Assert.Contains("<div class=\"forecast\" style=\"left:60%\"", html, StringComparison.Ordinal);
        Assert.Contains("<div class=\"used warn\" style=\"width:30%\">", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_RefreshesItselfAndLoadsNothingFromElsewhere()
    {
        var html = StatusPage.Write(View());

        Assert.Contains("<meta http-equiv=\"refresh\" content=\"30\">", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_TextFromElsewhere_IsEscaped()
    {
        var html = StatusPage.Write(View(host: "<script>alert(1)</script>"));

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        // The channel name from the samples carries quotes and a backslash.
        Assert.Contains("webhook &quot;ntfy&quot;\\x", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_BeforeTheFirstCheck_SaysSo()
    {
        var html = StatusPage.Write(View(noSnapshot: true));

        Assert.Contains("id=\"no-check\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("counted-bytes", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_UsageUnreadable_SaysTheNumbersAreFromTheLastGoodCheck()
    {
        Assert.Contains("id=\"degraded\"", StatusPage.Write(View(failuresInARow: 2)), StringComparison.Ordinal);
    }

    private static int Count(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
