using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TrafficMonitor.Notifications.Outbox;
using TrafficMonitor.State;
using TrafficMonitor.Tests.Components;
using TrafficMonitor.Usage.Calibration;
using TrafficMonitor.Usage.SystemCounters;

namespace TrafficMonitor.Tests.State;

/// <summary>
/// Valid JSON of the wrong shape in any file of the state directory is damage, like a truncated file: moved aside (or,
/// for the calibration the CLI writes, ignored) with a warning, never a null that crashes every later check.
/// </summary>
public sealed class StateFileShapeTests : IDisposable
{
    private const string Notification = """
        {"id": "stage-1", "kind": "StageReached", "subject": "s", "body": "b", "host_name": "h", "snapshot": null,
         "stage_bytes": 1, "dry_run": false, "created_at": "2026-11-23T08:00:00Z"}
        """;

    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));

    public void Dispose() => _directory.Dispose();

    private string StateDir => _directory.Combine("state");

    private void Write(string file, string content)
    {
        Directory.CreateDirectory(StateDir);
        File.WriteAllText(Path.Combine(StateDir, file), content);
    }

    private void AssertMovedAside(string file) =>
        Assert.Single(Directory.GetFiles(StateDir, file + ".*-20261123T080000Z"));

    [Theory]
    [InlineData("{\"version\": 2, \"alerts\": null}")]
    [InlineData("{\"version\": 2, \"health\": null}")]
    [InlineData("{\"version\": 2, \"days\": null}")]
    [InlineData("{\"version\": 2, \"earlier_alerts\": null}")]
    [InlineData("{\"version\": 2, \"steps\": null}")]
    [InlineData("{\"version\": 2, \"steps\": {\"shutdown\": null}}")]
    public void StateStore_WrongShape_IsMovedAsideAndStartsAfresh(string content)
    {
        Write(StateStore.FileName, content);

        Assert.Equal(new MonitorState(), new StateStore(StateDir, _time, NullLogger<StateStore>.Instance).Load());
        AssertMovedAside(StateStore.FileName);
    }

    [Theory]
    [InlineData("{\"entries\": null}")]
    [InlineData("{\"finished\": null}")]
    [InlineData("{\"entries\": [null]}")]
    [InlineData("{\"entries\": [{\"notification\": null, \"expires_at\": \"2026-11-26T08:00:00Z\"}]}")]
    [InlineData("{\"entries\": [{\"notification\": " + Notification + ", \"expires_at\": \"2026-11-26T08:00:00Z\", \"deliveries\": null}]}")]
    [InlineData("{\"entries\": [{\"notification\": " + Notification + ", \"expires_at\": \"2026-11-26T08:00:00Z\", \"deliveries\": {\"email\": null}}]}")]
    [InlineData("{\"entries\": [{\"notification\": {\"id\": null}, \"expires_at\": \"2026-11-26T08:00:00Z\"}]}")]
    public void OutboxStore_WrongShape_IsMovedAsideAndStartsEmpty(string content)
    {
        Write(OutboxStore.FileName, content);

        var document = new OutboxStore(StateDir, persist: true, _time, NullLogger<OutboxStore>.Instance).Document;

        Assert.Empty(document.Entries);
        AssertMovedAside(OutboxStore.FileName);
    }

    [Fact]
    public void OutboxStore_ValidEntry_IsKept()
    {
        Write(OutboxStore.FileName, "{\"entries\": [{\"notification\": " + Notification + ", \"expires_at\": \"2026-11-26T08:00:00Z\", \"deliveries\": {\"email\": {}}}]}");

        Assert.Single(new OutboxStore(StateDir, persist: true, _time, NullLogger<OutboxStore>.Instance).Document.Entries);
    }

    [Theory]
    [InlineData("{\"version\": 1, \"entries\": [], \"finished\": {\"stage-1\": \"2026-11-26T08:00:00Z\"}}", 0)]
    [InlineData("{\"entries\": [{\"notification\": " + Notification + ", \"expires_at\": \"2026-11-26T08:00:00Z\", \"deliveries\": {\"email\": {}}}]}", 1)]
    [InlineData("{\"entries\": [null]}", 0)]
    [InlineData("{\"entries\": [", 0)]
    public void OutboxStore_PeekEntries_ReadsWithoutChangingTheFile(string content, int entries)
    {
        Write(OutboxStore.FileName, content);

        var peeked = new OutboxStore(StateDir, persist: true, _time, NullLogger<OutboxStore>.Instance).PeekEntries();

        Assert.Equal(entries, peeked.Count);
        Assert.Equal(content, File.ReadAllText(Path.Combine(StateDir, OutboxStore.FileName)));
    }

    [Theory]
    [InlineData("{\"interfaces\": null}")]
    [InlineData("{\"interfaces\": {\"eth0\": null}}")]
    [InlineData("{\"interfaces\": {\"eth0\": {\"days\": null}}}")]
    [InlineData("{\"interfaces\": {\"eth0\": {\"days\": {\"2026-11-01\": null}}}}")]
    public void LedgerStore_WrongShape_IsMovedAsideAndStartsAfresh(string content)
    {
        Write(LedgerStore.FileName, content);

        var ledger = new LedgerStore(StateDir, _time, NullLogger<LedgerStore>.Instance).Load(readOnly: false);

        Assert.Empty(ledger.Interfaces);
        AssertMovedAside(LedgerStore.FileName);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"period_start\": \"2026-11-01\"}")]
    public void CalibrationStore_WrongShape_IsIgnored(string content)
    {
        Write(CalibrationStore.FileName, content);

        Assert.Null(new CalibrationStore(StateDir, NullLogger<CalibrationStore>.Instance).Current());
    }
}
