using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TrafficMonitor.Configuration;
using TrafficMonitor.Enforcement;
using TrafficMonitor.Hosting;
using TrafficMonitor.Monitoring;
using TrafficMonitor.Platform;
using TrafficMonitor.Quota;
using TrafficMonitor.Tests.Components;
using TrafficMonitor.Tests.Monitoring;
using TrafficMonitor.Usage;

namespace TrafficMonitor.Tests.Ladder;

/// <summary>
/// Whole checks with a ladder of recorder commands: the clock is the test's (FakeTimeProvider), the state file, the
/// outbox, the webhook server and the commands are real. A new QuotaCheck is a new process.
/// </summary>
public sealed class LadderCheckTests : IDisposable
{
    private const long GB = 1_000_000_000;
    private readonly TempDirectory _stateDir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 15, 7, 0, 0, TimeSpan.Zero));
    private readonly ScriptedUsage _usage = new();
    private readonly LogRecorder _logs = new();
    private readonly StepRecorder _steps = new();
    private readonly WebhookServer _hook = new();
    private readonly List<ServiceProvider> _services = [];

    public void Dispose()
    {
        _services.ForEach(s => s.Dispose());
        _hook.Dispose();
        _steps.Dispose();
        _stateDir.Dispose();
    }

    // 100 GB a month: a revertible command at 50%, a one-off at 80%, the shutdown (a recorder too) at 100%.
    private string Ladder => $"""
          rules:
            - at: "50%"
              do: command
              id: slow
              run: {_steps.Yaml("on")}
              undo: {_steps.Yaml("off")}
            - at: "80 GB"
              do: command
              id: page
              run: {_steps.Yaml("page")}
            - at: "100%"
              do: shutdown
              command: {_steps.Yaml("shutdown")}
        """;

    private QuotaCheck StartProcess(string? rules = null, DateTimeOffset? bootedAt = null, RunMode? runMode = null, IProcessRunner? runner = null) =>
        Services(rules, bootedAt, runMode, runner).GetRequiredService<QuotaCheck>();

    private ServiceProvider Services(string? rules = null, DateTimeOffset? bootedAt = null, RunMode? runMode = null, IProcessRunner? runner = null)
    {
        var yaml = $$"""
            thresholds: {total_limit: "100 GB", interval: "50 GB", critical_percentage: 90}
            monitor:
              state_dir: "{{_stateDir.Path}}"
            webhooks:
              - url: "{{_hook.Url("/hook")}}"
                format: json
                timeout: 5s
            actions:
            {{rules ?? Ladder}}
            """;
        var provider = Process(yaml, _stateDir.Path, _logs, _time, bootedAt ?? _time.GetUtcNow().AddDays(-3), _usage, runMode ?? RunMode.Live, runner);
        _services.Add(provider);
        return provider;
    }

    /// <summary>
    /// The services of one monitor process on the test's clock, usage and logs. Programs run through
    /// <paramref name="runner"/>, by default a <see cref="HostSafeRunner"/>: never tc, nft or ip on the host.
    /// </summary>
    internal static ServiceProvider Process(
        string yaml, string stateDir, LogRecorder logs, TimeProvider time, DateTimeOffset bootedAt, IUsageSource usage, RunMode runMode, IProcessRunner? runner = null)
    {
        var settings = ConfigLoader.Parse(yaml, "test.yaml", stateDir);
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        services.AddSingleton(time);
        services.AddSingleton(ProcessIdentity.New());
        services.AddSingleton(new SystemBoot(bootedAt));
        services.AddSingleton(runner ?? new HostSafeRunner());
        services.AddTrafficMonitor(settings, runMode);
        services.AddSingleton(usage);
        return services.BuildServiceProvider();
    }

    private List<string?> Events() =>
        _hook.Requests.Select(r => System.Text.Json.JsonDocument.Parse(r.Body).RootElement.GetProperty("event").GetString()).ToList();

    private async Task<CheckResult> At(QuotaCheck check, long bytes, TimeSpan? after = null)
    {
        _time.Advance(after ?? TimeSpan.FromMinutes(1));
        _usage.Bytes = bytes;
        return await check.RunAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Run_UsageClimbsThroughTheLadder_EachStepEngagesOnceAtItsPointAndIsNotified()
    {
        var check = StartProcess();

        await At(check, 49 * GB);
        Assert.Empty(_steps.Calls);
        await At(check, 55 * GB);
        await At(check, 60 * GB);
        Assert.Single(_steps.CallsOf("on"));
        await At(check, 85 * GB);
        await At(check, 101 * GB);
        await At(check, 102 * GB);

        Assert.Equal(["on", "page", "shutdown"], _steps.Calls.Select(c => c[1..c.IndexOf(']', StringComparison.Ordinal)]));
        Assert.Contains("TRAFFIC_MONITOR_STEP=page ", _steps.CallsOf("page")[0], StringComparison.Ordinal);
        Assert.Equal(3, Events().Count(e => e == "step_applied"));
        var critical = _hook.Requests.Single(r => r.Body.Contains("\"critical_reached\"", StringComparison.Ordinal)).Body;
        Assert.Contains("the enforcement ladder acts at its own points: slow at 50%; page at 80 GB; shutdown at 100%", critical, StringComparison.Ordinal);
        Assert.Contains("traffic-monitor pause", critical, StringComparison.Ordinal);
        Assert.DoesNotContain("shutdown -c", critical, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NewPeriod_UndoesTheStepInForceAndTellsTheAdmin()
    {
        var check = StartProcess();
        await At(check, 60 * GB);

        await At(check, 1 * GB, after: TimeSpan.FromDays(16)); // 2026-12-01

        Assert.Single(_steps.CallsOf("off"));
        Assert.Contains("TRAFFIC_MONITOR_EVENT=revert", _steps.CallsOf("off")[0], StringComparison.Ordinal);
        Assert.Contains("step_reverted", Events());
        await At(check, 2 * GB);
        Assert.Single(_steps.CallsOf("off"));
    }

    [Fact]
    public async Task Run_RestartInTheSameBoot_NeitherRepeatsNorUndoes()
    {
        await At(StartProcess(), 85 * GB);

        await At(StartProcess(), 86 * GB);

        Assert.Equal(2, _steps.Calls.Count);
    }

    [Fact]
    public async Task Run_AfterARebootMidLadder_ReappliesExactlyWhatShouldHold()
    {
        await At(StartProcess(), 85 * GB);

        _time.Advance(TimeSpan.FromMinutes(5));
        await At(StartProcess(bootedAt: _time.GetUtcNow()), 86 * GB);

        var on = _steps.CallsOf("on");
        Assert.Equal(2, on.Count);
        Assert.Contains("TRAFFIC_MONITOR_EVENT=reapply", on[1], StringComparison.Ordinal);
        Assert.Single(_steps.CallsOf("page"));
    }

    [Fact]
    public async Task Run_RuleRemovedFromTheSettings_IsUndoneWithTheUndoItsRecordKept()
    {
        await At(StartProcess(), 60 * GB);

        var withoutSlow = $$"""
              rules:
                - {at: "80 GB", do: command, id: page, run: {{_steps.Yaml("page")}}}
            """;
        var result = await At(StartProcess(withoutSlow), 61 * GB);

        Assert.Single(_steps.CallsOf("off"));
        Assert.False(result.State!.Steps.ContainsKey("slow"));
        await At(StartProcess(withoutSlow), 62 * GB);
        Assert.Single(_steps.CallsOf("off"));
    }

    [Theory]
    [InlineData("tc", "-V")]
    [InlineData("nft", "--version")]
    [InlineData("/usr/sbin/ip", "-V")]
    public async Task Process_WithoutARunnerOfItsOwn_RefusesTheHostsTcNftAndIp(string program, string harmless)
    {
        var runner = Services().GetRequiredService<IProcessRunner>();

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => runner.RunAsync([program, harmless], TimeSpan.FromSeconds(5), CancellationToken.None));

        Assert.Contains("on the host", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_StepInForceOfAKindNotInThisBuild_IsReportedNeverForgottenAsUndone()
    {
        // Left by a build with a kind this one lacks, then the rule was taken out of the settings. (Not a kind this
        // build has: undoing it would run tc or nft on the test machine itself.)
        var store = new TrafficMonitor.State.StateStore(_stateDir.Path, _time, _logs.For<TrafficMonitor.State.StateStore>());
        var blocked = new EnforcementStep("block@95%", 95 * GB, TimeSpan.Zero, Revertible: true);
        store.Save(EnforcementPolicy.Applied(new TrafficMonitor.State.MonitorState(), blocked, new BillingPeriod(new DateOnly(2026, 11, 1), new DateOnly(2026, 12, 1)), _time.GetUtcNow(), Guid.NewGuid(), "reroute"));
        var check = StartProcess();

        var first = await At(check, 10 * GB);
        await At(check, 10 * GB, after: TimeSpan.FromSeconds(5));

        Assert.Equal(CheckOutcome.ActionFailed, first.Outcome);
        Assert.True(first.State!.Step("block@95%").InForce);
        Assert.Equal(1, Events().Count(e => e == "step_failed"));
        Assert.Single(_logs.Lines, l => l.Contains("block@95% could not be undone", StringComparison.Ordinal) && l.Contains("not in this build", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_BlockTableFlushedWhileInForce_IsPutBackAtTheNextCheckAndTheAdminIsTold()
    {
        var nft = new FakeNftTables();
        var check = StartProcess("  rules:\n    - {at: \"95%\", do: block}", runner: nft);
        await At(check, 96 * GB);
        Assert.Equal(1, nft.Loads);

        nft.Flush();
        await At(check, 96 * GB, after: TimeSpan.FromSeconds(1));
        await At(check, 96 * GB, after: TimeSpan.FromSeconds(1));

        Assert.Equal(2, nft.Loads);
        Assert.Single(_logs.Lines, l => l.Contains("block@95% was no longer in force", StringComparison.Ordinal) && l.Contains("was gone", StringComparison.Ordinal));
        var told = Assert.Single(_hook.Requests, r => r.Body.Contains("was removed and put back", StringComparison.Ordinal));
        Assert.Equal("step_applied", System.Text.Json.JsonDocument.Parse(told.Body).RootElement.GetProperty("event").GetString());
    }

    [Fact]
    public async Task Run_FailingStep_IsNotifiedOnceAndRetriedAfterItsInterval()
    {
        _steps.ExitCode = 3;
        var check = StartProcess();

        Assert.Equal(CheckOutcome.ActionFailed, (await At(check, 60 * GB)).Outcome);
        await At(check, 60 * GB, after: TimeSpan.FromSeconds(10));
        Assert.Single(_steps.Calls);
        await At(check, 60 * GB, after: TimeSpan.FromSeconds(25));
        Assert.Equal(2, _steps.Calls.Count);
        _steps.ExitCode = 0;
        await At(check, 60 * GB, after: TimeSpan.FromSeconds(30));

        Assert.Equal(3, _steps.CallsOf("on").Count);
        Assert.Equal(1, Events().Count(e => e == "step_failed"));
        Assert.Equal(1, Events().Count(e => e == "step_applied"));
    }

    [Fact]
    public async Task Run_PauseRequestedThenResume_UndoesTheStepHoldsTheRestAndAppliesAgain()
    {
        var check = StartProcess();
        await At(check, 60 * GB);
        var requests = new EnforcementRequests(_stateDir.Path, _logs.For<EnforcementRequests>());

        requests.Save(new EnforcementRequest(EnforcementCommand.Pause, null, _time.GetUtcNow()));
        var paused = await At(check, 85 * GB);

        Assert.Single(_steps.CallsOf("off"));
        Assert.Empty(_steps.CallsOf("page"));
        Assert.NotNull(paused.State!.Hold);
        Assert.False(requests.Pending);
        Assert.Contains("stage_reached", Events()); // notifications still go out

        requests.Save(new EnforcementRequest(EnforcementCommand.Resume, null, _time.GetUtcNow()));
        await At(check, 86 * GB);

        Assert.Equal(2, _steps.CallsOf("on").Count);
        Assert.Single(_steps.CallsOf("page"));
    }

    [Fact]
    public async Task Run_RevertAllRequested_UndoesEveryStepAndHoldsUntilResume()
    {
        var check = StartProcess();
        await At(check, 60 * GB);
        new EnforcementRequests(_stateDir.Path, _logs.For<EnforcementRequests>())
            .Save(new EnforcementRequest(EnforcementCommand.RevertAll, null, _time.GetUtcNow()));

        var result = await At(check, 61 * GB);
        await At(check, 99 * GB, after: TimeSpan.FromDays(2));

        Assert.Single(_steps.CallsOf("off"));
        Assert.Empty(EnforcementPolicy.InForce(result.State!));
        Assert.Equal(["on", "off"], _steps.Calls.Select(c => c[1..c.IndexOf(']', StringComparison.Ordinal)]));
    }

    [Fact]
    public async Task Run_DryRun_SaysWhatEachStepWouldDoAndRunsNothing()
    {
        var check = StartProcess(runMode: RunMode.DryRun);

        await At(check, 85 * GB);

        Assert.Empty(_steps.Calls);
        Assert.Contains(_logs.Lines, l => l.Contains("Dry run: would apply slow now", StringComparison.Ordinal));
        Assert.Contains(_logs.Lines, l => l.Contains("Dry run: would apply page now", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_NoRules_TheShutdownAtTheCriticalPointIsAsBefore()
    {
        var check = StartProcess($"  shutdown:\n    command: {_steps.Yaml("shutdown")}\n");

        await At(check, 89 * GB);
        await At(check, 90 * GB);

        Assert.Single(_steps.CallsOf("shutdown"));
        Assert.Equal(["action_run"], Events().Where(e => e!.StartsWith("action", StringComparison.Ordinal)));
    }

    /// <summary>Stands in for nft: keeps the tables <c>nft -f -</c> loads and lists them back, until flushed.</summary>
    private sealed class FakeNftTables : IProcessRunner
    {
        private string? _loaded;

        public int Loads { get; private set; }

        public void Flush() => _loaded = null;

        public Task<ProcessResult> RunAsync(IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken) =>
            RunAsync(command, null, timeout, cancellationToken);

        public Task<ProcessResult> RunAsync(IReadOnlyList<string> command, string? standardInput, TimeSpan timeout, CancellationToken cancellationToken)
        {
            if (command is ["nft", "-f", "-"])
            {
                Loads++;
                _loaded = standardInput;
                return Task.FromResult(new ProcessResult(0, string.Empty, string.Empty));
            }

            if (command is ["nft", "list", "table", ..])
            {
                return Task.FromResult(_loaded is null
                    ? new ProcessResult(1, string.Empty, "Error: No such file or directory")
                    : new ProcessResult(0, _loaded, string.Empty));
            }

            throw new InvalidOperationException($"unexpected command: {string.Join(' ', command)}");
        }
    }
}
