using System.Text.Json;
using Microsoft.Extensions.Logging;
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

    private OutboxDocument? _document;

    public string FilePath { get; } = Path.Combine(stateDirectory, FileName);

    public OutboxDocument Document => _document ??= persist ? Load() : new OutboxDocument();

    public void Save()
    {
        if (!persist || _document is null)
        {
            return;
        }

        try
        {
            AtomicFile.Write(FilePath, JsonSerializer.SerializeToUtf8Bytes(_document, OutboxJsonContext.Default.OutboxDocument));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateException($"cannot write the notification outbox {FilePath}: {e.Message}. Run as a user that can write there, or set monitor.state_dir", e);
        }
    }

    /// <summary>Reads the outbox for display only (status); an unreadable file reads as empty and is left alone.</summary>
    public OutboxDocument Peek()
    {
        try
        {
            return File.Exists(FilePath)
                ? JsonSerializer.Deserialize(File.ReadAllBytes(FilePath), OutboxJsonContext.Default.OutboxDocument) ?? new OutboxDocument()
                : new OutboxDocument();
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return new OutboxDocument();
        }
    }

    private OutboxDocument Load()
    {
        byte[] content;
        try
        {
            content = File.ReadAllBytes(FilePath);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new OutboxDocument();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateException($"cannot read the notification outbox {FilePath}: {e.Message}. Run as the user that owns it, or set monitor.state_dir to a directory this user can write", e);
        }

        try
        {
            var document = JsonSerializer.Deserialize(content, OutboxJsonContext.Default.OutboxDocument);
            if (document is null || document.Version > OutboxDocument.CurrentVersion)
            {
                throw new JsonException(document is null ? "empty document" : $"written by a newer version (outbox version {document.Version})");
            }

            return document;
        }
        catch (JsonException e)
        {
            var aside = $"{FilePath}.unreadable-{timeProvider.GetUtcNow():yyyyMMddTHHmmssZ}";
            File.Move(FilePath, aside, overwrite: true);
            LogOutboxUnreadable(FilePath, aside, e.Message);
            return new OutboxDocument();
        }
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Warning,
        Message = "Notification outbox {Path} could not be read ({Reason}); moved it to {MovedTo} and starting with an empty one: notifications queued in it are not sent")]
    private partial void LogOutboxUnreadable(string path, string movedTo, string reason);
}
