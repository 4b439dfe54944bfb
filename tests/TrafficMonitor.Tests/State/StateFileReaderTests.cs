using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TrafficMonitor.State;
using TrafficMonitor.Tests.Components;
using TrafficMonitor.Usage.SystemCounters;

namespace TrafficMonitor.Tests.State;

/// <summary>
/// The state file and the ledger are written by System.Text.Json's source-generated contracts and read member by
/// member (<see cref="JsonFields"/>, for start-up time). A file with no member at its default, read and written again,
/// must come out the same: a member the reader misses comes back as its default and the files differ.
/// </summary>
public sealed class StateFileReaderTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.FromHours(1));
    private static readonly DateOnly Period = new(2026, 11, 1);

    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(Now);

    public void Dispose() => _directory.Dispose();

    private string StateDir => _directory.Combine("state");

    [Fact]
    public void StateFile_EveryMemberSet_ReadsBackToTheSameFile()
    {
        var alerts = new PeriodAlerts { PeriodStart = Period, HighestStageNotified = 100, CriticalNotified = true, ForecastCriticalDay = Period.AddDays(20) };
        var state = new MonitorState
        {
            Alerts = alerts,
            EarlierAlerts = alerts with { PeriodStart = Period.AddMonths(-1), HighestStageNotified = 50 },
            Health = new MonitorHealth
            {
                LastCheckAt = Now,
                LastCountedBytes = 1234,
                LastReading = new LastReading("vnstat", 1000, 234),
                UsageFailures = 2,
                UsageFailingSince = Now.AddMinutes(-2),
                DegradedNotified = true,
            },
            Days = new DayMarks { Date = Period.AddDays(22), Bytes = 1000, YesterdayBytes = 300, LastDailyReport = Period.AddDays(21) },
            Hold = new EnforcementHold(Now.AddHours(-1), Now.AddHours(1), RevertAll: true),
        }.WithStep("throttle", new StepRecord
        {
            Period = Period,
            Runs = 1,
            Failures = 3,
            LastRunAt = Now.AddMinutes(-10),
            LastRunPeriod = Period,
            RunBy = Guid.NewGuid(),
            Unconfirmed = true,
            InForce = true,
            Kind = "command",
            Undo = ["/usr/local/bin/unthrottle", "eth0"],
            LastFailureAt = Now.AddMinutes(-5),
            RevertedAt = Now.AddMinutes(-20),
        }).WithStep("shutdown", new StepRecord { Period = Period, Runs = 2, Kind = "shutdown", Undo = ["x"], RunBy = Guid.NewGuid(),
            LastRunAt = Now, LastRunPeriod = Period, Failures = 1, LastFailureAt = Now, RevertedAt = Now, Unconfirmed = true, InForce = true });
        var store = new StateStore(StateDir, _time, NullLogger<StateStore>.Instance);
        store.Save(state);
        var written = File.ReadAllText(store.FilePath);
        AssertNoMemberAtItsDefault(written);

        var read = store.Load();
        store.Save(read);

        Assert.Equal(state, read);
        Assert.Equal(written, File.ReadAllText(store.FilePath));
    }

    [Fact]
    public void Ledger_EveryMemberSet_ReadsBackToTheSameFile()
    {
        var ledger = new Ledger { BootId = "10d51e4e-fb55-4d56-a723-2971a2a5463c", BootedAt = Now.AddDays(-3), UpdatedAt = Now };
        ledger.Interfaces["eth0"] = new LedgerInterface { LastRx = ulong.MaxValue, LastTx = 7 };
        ledger.Interfaces["eth0"].Days[Period] = new DayTraffic { Rx = 10, Tx = 20 };
        ledger.Interfaces["eth0"].Days[Period.AddDays(1)] = new DayTraffic { Rx = long.MaxValue, Tx = 1 };
        ledger.Interfaces["wg0"] = new LedgerInterface { LastRx = 1, LastTx = 2 };
        ledger.Interfaces["wg0"].Days[Period] = new DayTraffic { Rx = 3, Tx = 4 };
        var store = new LedgerStore(StateDir, _time, NullLogger<LedgerStore>.Instance);
        store.Save(ledger);
        var written = File.ReadAllText(store.FilePath);
        AssertNoMemberAtItsDefault(written);

        var read = new LedgerStore(StateDir, _time, NullLogger<LedgerStore>.Instance).Load(readOnly: true);
        store.Save(read);

        Assert.Equal(written, File.ReadAllText(store.FilePath));
        Assert.Equal(ulong.MaxValue, read.Interfaces["eth0"].LastRx);
    }

    /// <summary>A member named twice is read as the writer's contracts read it: the last one counts, nothing throws.</summary>
    [Fact]
    public void MemberNamedTwice_TheLastCounts()
    {
        Directory.CreateDirectory(StateDir);
        File.WriteAllText(Path.Combine(StateDir, StateStore.FileName),
            "{\"version\": 2, \"steps\": {\"shutdown\": {\"runs\": 1}, \"shutdown\": {\"runs\": 2}}}");
        File.WriteAllText(Path.Combine(StateDir, LedgerStore.FileName),
            "{\"interfaces\": {\"eth0\": {\"last_rx\": 1}, \"eth0\": {\"last_rx\": 2, \"days\": {\"2026-11-01\": {\"rx\": 1}, \"2026-11-01\": {\"rx\": 3}}}}}");

        var state = new StateStore(StateDir, _time, NullLogger<StateStore>.Instance).Load();
        var ledger = new LedgerStore(StateDir, _time, NullLogger<LedgerStore>.Instance).Load(readOnly: true);

        Assert.Equal(2, state.Step("shutdown").Runs);
        Assert.Equal(2UL, ledger.Interfaces["eth0"].LastRx);
        Assert.Equal(3, ledger.Interfaces["eth0"].Days[Period].Rx);
    }

    [Theory]
    [InlineData("{\"version\": 2, \"alerts\": {\"highest_stage_notified\": \"100\"}}", "state.alerts.highest_stage_notified: expected a whole number in range, found string")]
    [InlineData("{\"version\": 2, \"alerts\": {\"highest_stage_notified\": 1.5}}", "state.alerts.highest_stage_notified: expected a whole number in range, found number")]
    [InlineData("{\"version\": 2, \"alerts\": {\"critical_notified\": null}}", "state.alerts.critical_notified: expected a value, found null")]
    [InlineData("{\"version\": 2, \"alerts\": {\"period_start\": \"1 Nov 2026\"}}", "state.alerts.period_start: '1 Nov 2026' is not a date (yyyy-MM-dd)")]
    [InlineData("{\"version\": 2, \"steps\": {\"shutdown\": null}}", "state.steps.shutdown: expected an object, found null")]
    [InlineData("{\"version\": 2, \"steps\": {\"shutdown\": {\"run_by\": \"me\"}}}", "state.steps.shutdown.run_by: expected a GUID, found string")]
    [InlineData("{\"version\": 2, \"steps\": {\"shutdown\": {\"undo\": [\"x\", null]}}}", "state.steps.shutdown.undo[1]: expected a string, found null")]
    [InlineData("{\"version\": 2, \"steps\": []}", "state.steps: expected an object, found array")]
    [InlineData("{\"version\": 2, \"health\": {\"last_reading\": {\"source\": \"system\", \"rx_bytes\": 1}}}", "state.health.last_reading.tx_bytes: missing")]
    [InlineData("{\"version\": 2, \"hold\": {\"since\": \"2026-11-23T08:00:00Z\"}}", "state.hold.until: missing")]
    [InlineData("{\"version\": 2, \"hold\": {\"since\": \"yesterday\", \"until\": null}}", "state.hold.since: expected a date and time, found string")]
    public void StateFile_WrongValue_IsDamageNamingTheMember(string content, string damage)
    {
        Directory.CreateDirectory(StateDir);
        File.WriteAllText(Path.Combine(StateDir, StateStore.FileName), content);
        var logs = new LogRecorder();

        new StateStore(StateDir, _time, logs.For<StateStore>()).Load();

        Assert.Contains(damage, logs.Text);
    }

    [Theory]
    [InlineData("{\"interfaces\": {\"eth0\": {\"days\": {\"2026-11-31\": {\"rx\": 1, \"tx\": 1}}}}}", "ledger.interfaces.days: '2026-11-31' is not a date (yyyy-MM-dd)")]
    [InlineData("{\"interfaces\": {\"eth0\": {\"last_rx\": -1}}}", "ledger.interfaces.eth0.last_rx: expected a whole number in range, found number")]
    [InlineData("{\"interfaces\": {\"eth0\": {\"days\": {\"2026-11-01\": {\"rx\": null}}}}}", "ledger.interfaces.eth0.days.2026-11-01.rx: expected a value, found null")]
    [InlineData("[]", "ledger: expected an object, found array")]
    public void Ledger_WrongValue_IsDamageNamingTheMember(string content, string damage)
    {
        Directory.CreateDirectory(StateDir);
        File.WriteAllText(Path.Combine(StateDir, LedgerStore.FileName), content);
        var logs = new LogRecorder();

        var ledger = new LedgerStore(StateDir, _time, logs.For<LedgerStore>()).Load(readOnly: false);

        Assert.Empty(ledger.Interfaces);
        Assert.Contains(damage, logs.Text);
    }

    /// <summary>Null, 0, false, "" and empty objects or lists are what an unread member comes back as.</summary>
    private static void AssertNoMemberAtItsDefault(string json)
    {
        using var document = JsonDocument.Parse(json);
        Visit(document.RootElement, "$");

        static void Visit(JsonElement element, string path)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    Assert.True(element.EnumerateObject().Any(), $"{path} is empty: give the sample a value there");
                    foreach (var member in element.EnumerateObject())
                    {
                        Visit(member.Value, $"{path}.{member.Name}");
                    }

                    break;
                case JsonValueKind.Array:
                    Assert.True(element.GetArrayLength() > 0, $"{path} is empty: give the sample a value there");
                    break;
                case JsonValueKind.Null or JsonValueKind.False:
                case JsonValueKind.Number when element.GetRawText() == "0":
                case JsonValueKind.String when element.GetString() == string.Empty:
                    Assert.Fail($"{path} is {element.GetRawText()}, its default: give the sample a value there");
                    break;
            }
        }
    }
}
