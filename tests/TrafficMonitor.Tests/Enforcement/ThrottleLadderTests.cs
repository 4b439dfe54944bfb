using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TrafficMonitor.Enforcement;
using TrafficMonitor.Monitoring;
using TrafficMonitor.Platform;
using TrafficMonitor.State;
using TrafficMonitor.Tests.Components;
using TrafficMonitor.Tests.Ladder;
using TrafficMonitor.Tests.Monitoring;

namespace TrafficMonitor.Tests.Enforcement;

/// <summary>
/// <c>do: throttle</c> through whole checks (the settings, the enforcer, the state file, the notifications), with
/// every program the monitor starts run inside namespace A by <see cref="NamespacedRunner"/>: the throttle's tc and
/// ip land on A's veth end, never on the host. A new QuotaCheck is a new process in the same boot.
/// </summary>
public sealed class ThrottleLadderTests : IDisposable
{
    private const long GB = 1_000_000_000;
    private const string AdminsQdisc = "tbf rate 3mbit burst 10kb latency 70ms";

    private readonly NetworkNamespacePair _net = new();
    private readonly TempDirectory _stateDir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 15, 7, 0, 0, TimeSpan.Zero));
    private readonly ScriptedUsage _usage = new();
    private readonly LogRecorder _logs = new();
    private readonly WebhookServer _hook = new();
    private readonly List<ServiceProvider> _services = [];

    public void Dispose()
    {
        _services.ForEach(s => s.Dispose());
        _hook.Dispose();
        _stateDir.Dispose();
        _net.Dispose();
    }

    private const string Throttle = """
            rules:
              - {at: "50%", do: throttle, rate: 10 Mbit}
        """;

    [Fact]
    public async Task Run_AppliedThenRestartedThenANewPeriod_RestoresTheAdminsQdiscFromTheRecord()
    {
        AdminSetsUp();
        var before = Qdiscs();

        await At(StartProcess(Throttle), 60 * GB);
        Assert.Contains("qdisc htb 7a3e: dev tmeth0 root", Qdiscs(), StringComparison.Ordinal);
        var applied = _hook.Requests.Single(r => r.Body.Contains("\"step_applied\"", StringComparison.Ordinal)).Body;
        Assert.Contains("the step throttle@50% was applied: tmeth0 is throttled to 10 Mbit/s both ways, SSH (port 22) unthrottled.", applied, StringComparison.Ordinal);

        // A restart in the same boot: the new process applied nothing, yet checks the throttle and later undoes it as applied.
        var restarted = StartProcess(Throttle);
        await At(restarted, 61 * GB);
        Assert.Contains("qdisc htb 7a3e: dev tmeth0 root", Qdiscs(), StringComparison.Ordinal);
        await At(restarted, 1 * GB, after: TimeSpan.FromDays(16)); // 2026-12-01

        Assert.Equal(before, Qdiscs());
        Assert.Contains(_logs.Lines, l => l.Contains("root qdisc put back: handle 1234: tbf rate 375000bps", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_RuleRemovedFromTheSettings_IsUndoneFromItsRecord()
    {
        AdminSetsUp();
        var before = Qdiscs();
        await At(StartProcess(Throttle), 60 * GB);

        var result = await At(StartProcess("""
                rules:
                  - {at: "90%", do: command, run: [/bin/true]}
            """), 61 * GB);

        Assert.Equal(before, Qdiscs());
        Assert.False(result.State!.Steps.ContainsKey("throttle@50%"));
        Assert.Contains(_hook.Requests, r => r.Body.Contains("\"step_reverted\"", StringComparison.Ordinal) && r.Body.Contains("throttle@50%", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_AdminDeletesTheQdiscWhileInForce_TheNextCheckPutsItBackAndLogsIt()
    {
        var check = StartProcess(Throttle);
        await At(check, 60 * GB);

        NetworkNamespacePair.Exec(_net.NamespaceA, "tc", "qdisc", "del", "dev", _net.InterfaceA, "root");
        await At(check, 61 * GB);

        Assert.Contains("qdisc htb 7a3e: dev tmeth0 root", Qdiscs(), StringComparison.Ordinal);
        Assert.Contains(_logs.Lines, l => l.Contains("The throttle of tmeth0 was removed (tmeth0's root qdisc is not ours): put it back", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RevertAll_WithNoMonitorRunning_RemovesEveryTraceFromTheRecord()
    {
        AdminSetsUp();
        var before = Qdiscs();
        await At(StartProcess(Throttle), 60 * GB);

        // What 'traffic-monitor revert-all' does when no monitor owns the state directory: a new process, no usage read.
        var services = Services(Throttle);
        var (state, failures) = await services.GetRequiredService<Enforcer>().RevertEverythingAsync(services.GetRequiredService<StateStore>().Load(), _time.GetUtcNow());

        Assert.Empty(failures);
        Assert.False(state.Step("throttle@50%").InForce);
        Assert.Equal(before, Qdiscs());
    }

    private void AdminSetsUp() =>
        NetworkNamespacePair.Exec(_net.NamespaceA, ["tc", "qdisc", "replace", "dev", _net.InterfaceA, "root", "handle", "1234:", .. AdminsQdisc.Split(' ')]);

    private string Qdiscs() =>
        NetworkNamespacePair.Exec(_net.NamespaceA, "tc", "qdisc", "show") + NetworkNamespacePair.Exec(_net.NamespaceA, "ip", "-br", "link", "show", "type", "ifb");

    private async Task<CheckResult> At(QuotaCheck check, long bytes, TimeSpan? after = null)
    {
        _time.Advance(after ?? TimeSpan.FromMinutes(1));
        _usage.Bytes = bytes;
        return await check.RunAsync(CancellationToken.None);
    }

    private QuotaCheck StartProcess(string rules) => Services(rules).GetRequiredService<QuotaCheck>();

    private ServiceProvider Services(string rules)
    {
        var yaml = $$"""
            thresholds: {total_limit: "100 GB", interval: "50 GB", critical_percentage: 90}
            monitor:
              state_dir: "{{_stateDir.Path}}"
              interfaces: [{{_net.InterfaceA}}]
            webhooks:
              - url: "{{_hook.Url("/hook")}}"
                format: json
                timeout: 5s
            actions:
            {{rules}}
            """;
        var provider = LadderCheckTests.Process(yaml, _stateDir.Path, _logs, _time, _time.GetUtcNow().AddDays(-3), _usage, RunMode.Live, new NamespacedRunner(_net.NamespaceA));
        _services.Add(provider);
        return provider;
    }
}
