using System.Text.Json;
using Microsoft.Extensions.Logging;
using TrafficMonitor.State;
using TrafficMonitor.Hosting;

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
        () => OutboxJsonContext.Default.OutboxDocument,
        "the notification outbox",
        Damage);

    /// <summary>
    /// The same file for <see cref="PeekEntries"/>: one whose entries are all gone (delivered ones leave only their ids)
    /// is not deserialized, and reads as an empty outbox (building its contract would cost a short command ~0.7 ms, as
    /// much as all the rest of what <c>status</c> reads).
    /// </summary>
    private readonly JsonStateFile<OutboxDocument> _entries = new(
        Path.Combine(stateDirectory, FileName),
        () => OutboxJsonContext.Default.OutboxDocument,
        "the notification outbox",
        Damage,
        content => HasNoEntries(content) ? new OutboxDocument() : JsonSerializer.Deserialize(content, OutboxJsonContext.Default.OutboxDocument));

    private OutboxDocument? _document;

    public string FilePath => _file.FilePath;

    public OutboxDocument Document => _document ??= persist ? Load() : new OutboxDocument();

    // Nulls in properties are refused by the JSON context; nulls inside lists and maps only here.
    private static string? Damage(OutboxDocument document) => document switch
    {
        { Version: > OutboxDocument.CurrentVersion } => $"written by a newer version (outbox version {document.Version})",
        _ when document.Entries.Any(e => e is null) => "a null entry",
        _ when document.Entries.Any(e => e.Deliveries.Values.Any(d => d is null)) => "a null delivery",
        _ => null,
    };

    /// <summary>Why the outbox cannot be kept on disk right now; null when it can.</summary>
    public string? Problem { get; private set; }

    /// <summary>
    /// Writes the outbox. A state directory that cannot be written (read-only, full) never stops an alert: the
    /// outbox is kept in memory and delivered from there, and <see cref="Problem"/> says why.
    /// </summary>
    public void Save()
    {
        if (!persist || _document is null)
        {
            return;
        }

        try
        {
            _file.Write(_document);
            Problem = null;
        }
        catch (StateException e)
        {
            if (Problem is null)
            {
                LogOutboxNotKept(e.Message);
            }

            Problem = e.Message;
        }
    }

    /// <summary>The queued entries, for display only (status); an unreadable file reads as empty and is left alone.</summary>
    public IReadOnlyList<OutboxEntry> PeekEntries() => (_entries.Peek() ?? new OutboxDocument()).Entries;

    private static bool HasNoEntries(byte[] content)
    {
        using var document = JsonDocument.Parse(content);
        var root = document.RootElement;
        return root.ValueKind == JsonValueKind.Object
               && root.TryGetProperty("entries", out var entries)
               && entries.ValueKind == JsonValueKind.Array
               && entries.GetArrayLength() == 0;
    }

    private OutboxDocument Load()
    {
        StateFileRead<OutboxDocument> read;
        try
        {
            read = _file.Read();
        }
        catch (StateException e)
        {
            LogOutboxNotKept(e.Message);
            Problem = e.Message;
            return new OutboxDocument();
        }

        if (read.Status == StateFileStatus.Damaged)
        {
            LogOutboxUnreadable(FilePath, _file.MoveAside(timeProvider.GetUtcNow(), "unreadable"), read.Damage!);
        }

        return read.Document ?? new OutboxDocument();
    }

    [LoggerMessage(EventId = LogEvents.OutboxNotKept, Level = LogLevel.Error,
        Message = "The notification outbox cannot be kept on disk, so notifications are delivered from memory: those still undelivered when the monitor stops are lost. {Reason}")]
    private partial void LogOutboxNotKept(string reason);

    [LoggerMessage(EventId = LogEvents.OutboxUnreadable, Level = LogLevel.Warning,
        Message = "Notification outbox {Path} could not be read ({Reason}); moved it to {MovedTo} and starting with an empty one: notifications queued in it are not sent")]
    private partial void LogOutboxUnreadable(string path, string movedTo, string reason);
}
