using Microsoft.Extensions.Logging;
using TrafficMonitor.Hosting;
using TrafficMonitor.State;

namespace TrafficMonitor.Notifications.Outbox;

/// <summary>
/// Keeps the notification outbox in <c>outbox.json</c> in the state directory, written atomically after every change,
/// so queued notifications survive a crash or reboot. Without <c>persist</c> (a dry run) it lives in memory only.
/// Not thread-safe: the dispatcher serialises access.
/// </summary>
public sealed partial class OutboxStore(string stateDirectory, bool persist, TimeProvider timeProvider, ILogger<OutboxStore> logger)
{
    public const string FileName = "outbox.json";

    private readonly JsonStateFile<OutboxDocument> _file = new(
        Path.Combine(stateDirectory, FileName),
        OutboxJsonContext.Default.OutboxDocument,
        "the notification outbox",
        document => document.Version > OutboxDocument.CurrentVersion ? $"written by a newer version (outbox version {document.Version})" : null);

    private OutboxDocument? _document;

    public string FilePath => _file.FilePath;

    public OutboxDocument Document => _document ??= persist ? Load() : new OutboxDocument();

    public void Save()
    {
        if (persist && _document is not null)
        {
            _file.Write(_document);
        }
    }

    /// <summary>Reads the outbox for display only (status); an unreadable file reads as empty and is left alone.</summary>
    public OutboxDocument Peek() => _file.Peek() ?? new OutboxDocument();

    private OutboxDocument Load()
    {
        var read = _file.Read();
        if (read.Status == StateFileStatus.Damaged)
        {
            LogOutboxUnreadable(FilePath, _file.MoveAside(timeProvider.GetUtcNow(), "unreadable"), read.Damage!);
        }

        return read.Document ?? new OutboxDocument();
    }

    [LoggerMessage(EventId = LogEvents.OutboxUnreadable, Level = LogLevel.Warning,
        Message = "Notification outbox {Path} could not be read ({Reason}); moved it to {MovedTo} and starting with an empty one: notifications queued in it are not sent")]
    private partial void LogOutboxUnreadable(string path, string movedTo, string reason);
}
