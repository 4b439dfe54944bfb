using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TrafficMonitor.Configuration;
using TrafficMonitor.Hosting;
using TrafficMonitor.Monitoring;
using TrafficMonitor.Quota;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Monitoring;

/// <summary>
/// Whole checks with the clock under the test's control (FakeTimeProvider) and everything else real: vnStat reading
/// a database the test builds, the state file, and the shutdown command pointed at a recorder.
/// </summary>
public class QuotaCheckTests : IDisposable
{
    private const long GB = 1_000_000_000;
    private readonly TempDirectory _directory = new();
    private readonly VnStatDatabase _vnstat = new();
    private readonly CommandRecorder _shutdown = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 22, 0, 0, TimeSpan.Zero));

    public QuotaCheckTests() => _vnstat.AddInterface("eth0");

    public void Dispose()
    {
        _shutdown.Dispose();
        _vnstat.Dispose();
        _directory.Dispose();
    }

    /// <summary>A new QuotaCheck is a new process: what a restart or reboot looks like.</summary>
    private QuotaCheck StartProcess(int resetDay = 1)
    {
        var yaml = TestSettings.Yaml(_directory.Combine("state"), _vnstat.ConfigFile, shutdownCommand: _shutdown.YamlCommand, monitor: $"reset_day: {resetDay}");
        var settings = ConfigLoader.Parse(yaml, "test.yaml", "/unused");
        var services = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(_time).AddSingleton(ProcessIdentity.New())
            .AddTrafficMonitor(settings, RunMode.Live);
        return services.BuildServiceProvider().GetRequiredService<QuotaCheck>();
    }

    private void Usage(DateTimeOffset month, long bytes) =>
        _vnstat.SetMonth("eth0", month.Year, month.Month, bytes, 0).SetUpdated("eth0", _time.GetLocalNow().DateTime);

    [Fact]
    public async Task Run_AfterReboot_WaitsForBootGraceThenActsAgain()
    {
        Usage(_time.GetUtcNow(), 95 * GB);
        Assert.Equal(CheckOutcome.Completed, (await StartProcess().RunAsync(CancellationToken.None)).Outcome);
        Assert.Single(_shutdown.Calls);

        _time.Advance(TimeSpan.FromMinutes(2));
        var rebooted = StartProcess();
        var decision = (await rebooted.RunAsync(CancellationToken.None)).Decision!;
        Assert.Equal(StepVerdict.DeferredAfterRestart, Assert.Single(decision.Steps).Verdict);
        Assert.Single(_shutdown.Calls);

        _time.Advance(TimeSpan.FromMinutes(7));
        await rebooted.RunAsync(CancellationToken.None);
        Assert.Single(_shutdown.Calls);

        _time.Advance(TimeSpan.FromMinutes(1));
        await rebooted.RunAsync(CancellationToken.None);
        Assert.Equal(2, _shutdown.Calls.Count);

        _time.Advance(TimeSpan.FromMinutes(30));
        await rebooted.RunAsync(CancellationToken.None);
        Assert.Equal(2, _shutdown.Calls.Count);
    }

    [Fact]
    public async Task Run_NewPeriod_RearmsStagesAndTheAction()
    {
        Usage(_time.GetUtcNow(), 95 * GB);
        var check = StartProcess();
        await check.RunAsync(CancellationToken.None);
        Assert.Single(_shutdown.Calls);

        _time.Advance(TimeSpan.FromHours(3)); // 2026-12-01 01:00
        Usage(_time.GetUtcNow(), 12 * GB);
        var december = await check.RunAsync(CancellationToken.None);
        Assert.True(december.Decision!.NewPeriodStarted);
        Assert.Equal(new DateOnly(2026, 12, 1), december.State!.Alerts.PeriodStart);
        Assert.Equal(10 * GB, december.State.Alerts.HighestStageNotified);
        Assert.False(december.State.Alerts.CriticalNotified);

        Usage(_time.GetUtcNow(), 91 * GB);
        await check.RunAsync(CancellationToken.None);
        Assert.Equal(2, _shutdown.Calls.Count);
    }

    [Fact]
    public async Task Run_StateSurvivesARestart_SoStagesAreNotSentAgain()
    {
        Usage(_time.GetUtcNow(), 45 * GB);
        var first = (await StartProcess().RunAsync(CancellationToken.None)).Decision!;
        Assert.Equal(40 * GB, first.StageToNotify);

        var again = await StartProcess().RunAsync(CancellationToken.None);
        Assert.Null(again.Decision!.StageToNotify);
        Assert.Equal(40 * GB, again.State!.Alerts.HighestStageNotified);
    }
}
