using System.Text.Json;
using Microsoft.Extensions.Logging;
using TrafficMonitor.State;

namespace TrafficMonitor.Usage.SystemCounters;

/// <summary>
/// Keeps the <see cref="Ledger"/> in <c>ledger.json</c>, and the one before it in <c>ledger.previous.json</c>: each
/// write is atomic (temp, fsync, rename), and if the newest is ever damaged the older one is still consistent
/// (its counters match its days), so the period continues from it without losing what the kernel counted since.
/// </summary>
public sealed partial class LedgerStore(string stateDirectory, TimeProvider timeProvider, ILogger<LedgerStore> logger)
{
    public const string FileName = "ledger.json";
    public const string PreviousFileName = "ledger.previous.json";

    private byte[]? _lastWritten;

    public string FilePath { get; } = Path.Combine(stateDirectory, FileName);

    public string PreviousFilePath { get; } = Path.Combine(stateDirectory, PreviousFileName);

    /// <summary>
    /// The newest readable ledger, or a new one. A damaged file is moved aside with a warning unless
    /// <paramref name="readOnly"/> (status must not change anything).
    /// </summary>
    public Ledger Load(bool readOnly)
    {
        foreach (var path in new[] { FilePath, PreviousFilePath })
        {
            byte[] content;
            try
            {
                content = File.ReadAllBytes(path);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                continue;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageUnavailableException(
                    $"cannot read the traffic ledger {path}: {e.Message}. Run as the user that owns it, or set monitor.state_dir to a directory this user can write", e);
            }

            if (Parse(content, out var reason) is { } ledger)
            {
                if (path == PreviousFilePath)
                {
                    LogUsingPrevious(PreviousFilePath);
                }

                _lastWritten = content;
                return ledger;
            }

            if (readOnly)
            {
                continue;
            }

            var aside = $"{path}.damaged-{timeProvider.GetUtcNow():yyyyMMddTHHmmssZ}";
            File.Move(path, aside, overwrite: true);
            LogLedgerDamaged(path, aside, reason);
        }

        return new Ledger();
    }

    public void Save(Ledger ledger)
    {
        var content = JsonSerializer.SerializeToUtf8Bytes(ledger, LedgerJsonContext.Default.Ledger);
        try
        {
            if (_lastWritten is not null)
            {
                AtomicFile.Write(PreviousFilePath, _lastWritten);
            }

            AtomicFile.Write(FilePath, content);
            _lastWritten = content;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageUnavailableException(
                $"cannot write the traffic ledger {FilePath}: {e.Message}. Run as a user that can write there, or set monitor.state_dir", e);
        }
    }

    private static Ledger? Parse(byte[] content, out string reason)
    {
        try
        {
            var ledger = JsonSerializer.Deserialize(content, LedgerJsonContext.Default.Ledger);
            reason = ledger switch
            {
                null => "empty document",
                { Version: > Ledger.CurrentVersion } => $"written by a newer version (ledger version {ledger.Version})",
                _ when ledger.Interfaces.Values.Any(i => i.Days.Values.Any(d => d.Rx < 0 || d.Tx < 0)) => "negative byte counts",
                _ => string.Empty,
            };
            return reason.Length == 0 ? ledger : null;
        }
        catch (JsonException e)
        {
            reason = e.Message;
            return null;
        }
    }

    [LoggerMessage(EventId = 600, Level = LogLevel.Warning,
        Message = "The traffic ledger {Path} is damaged ({Reason}); moved it to {MovedTo}. Counting continues from the newest ledger that can be trusted; " +
                  "if none is left, from now on: check the period's usage with your provider's panel and correct it with 'traffic-monitor set-usage'")]
    private partial void LogLedgerDamaged(string path, string movedTo, string reason);

    [LoggerMessage(EventId = 601, Level = LogLevel.Warning,
        Message = "Continuing from the previous traffic ledger {Path}: it is one checkpoint older, and the kernel's counters since then are counted")]
    private partial void LogUsingPrevious(string path);
}
