using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace TrafficMonitor.State;

public enum StateFileStatus
{
    Missing,
    Read,
    Damaged,
}

/// <summary>What reading a state file found: the document, or why it cannot be trusted.</summary>
public sealed record StateFileRead<T>(StateFileStatus Status, T? Document, string? Damage = null, byte[]? Content = null)
    where T : class;

/// <summary>
/// One JSON document in the state directory (state, outbox, ledger, calibration): read with a validity check, a damaged
/// file moved aside for inspection rather than trusted or lost, written atomically. I/O failures become a
/// <see cref="StateException"/> that says what to do.
/// </summary>
/// <param name="typeInfo">
/// The document's JSON contract, asked for when a file is written, or read without <paramref name="deserialize"/>: making
/// one configures the type by reflection, which a short command that finds no file (no outbox, no calibration) need not
/// pay for at start.
/// </param>
/// <param name="validate">Returns why a parsed document cannot be trusted (e.g. written by a newer version), or null.</param>
/// <param name="deserialize">
/// Reads the content when it may be of an older shape (migrations), or without the contract (<see cref="JsonFields"/>);
/// throws <see cref="JsonException"/> for damage. Default: with the contract.
/// </param>
public sealed class JsonStateFile<T>(
    string path, Func<JsonTypeInfo<T>> typeInfo, string description, Func<T, string?>? validate = null, Func<byte[], T?>? deserialize = null)
    where T : class
{
    public string FilePath => path;

    public StateFileRead<T> Read()
    {
        byte[] content;
        try
        {
            content = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new StateFileRead<T>(StateFileStatus.Missing, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateException(
                $"cannot read {description} {path}: {e.Message.TrimEnd('.')}. Run as the user that owns it, or set monitor.state_dir to a directory this user can write", e);
        }

        try
        {
            var document = deserialize is null ? JsonSerializer.Deserialize(content, typeInfo()) : deserialize(content);
            var damage = document is null ? "empty document" : validate?.Invoke(document);
            return damage is null
                ? new StateFileRead<T>(StateFileStatus.Read, document, null, content)
                : new StateFileRead<T>(StateFileStatus.Damaged, null, damage);
        }
        catch (JsonException e)
        {
            return new StateFileRead<T>(StateFileStatus.Damaged, null, e.Message);
        }
    }

    /// <summary>Reads for display only: anything missing or damaged reads as null and the file is left alone.</summary>
    public T? Peek()
    {
        try
        {
            return Read().Document;
        }
        catch (StateException)
        {
            return null;
        }
    }

    /// <summary>Moves a damaged file aside, kept for inspection; returns where it went.</summary>
    public string MoveAside(DateTimeOffset now, string label)
    {
        var aside = $"{path}.{label}-{now:yyyyMMddTHHmmssZ}";
        File.Move(path, aside, overwrite: true);
        return aside;
    }

    // ENOSPC and EROFS: the advice for a full or read-only filesystem is not about users and permissions.
    private const int NoSpaceLeft = 28;
    private const int ReadOnlyFileSystem = 30;

    private static string WriteAdvice(Exception e) => e.HResult switch
    {
        NoSpaceLeft => "The disk is full: free space on it, or set monitor.state_dir to a disk with room",
        ReadOnlyFileSystem => "The filesystem is read-only (often remounted so after errors): check it (dmesg, fsck) and remount it read-write, or set monitor.state_dir",
        _ => "Run as a user that can write there, or set monitor.state_dir",
    };

    public byte[] Write(T document)
    {
        var content = JsonSerializer.SerializeToUtf8Bytes(document, typeInfo());
        WriteBytes(path, content);
        return content;
    }

    /// <summary>Writes raw content to a sibling file (a ledger's previous copy) with the same guarantees.</summary>
    public void WriteBytes(string target, byte[] content)
    {
        try
        {
            AtomicFile.Write(target, content);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateException($"cannot write {description} {target}: {e.Message.TrimEnd('.')}. {WriteAdvice(e)}", e);
        }
    }
}
