using Microsoft.Extensions.Logging;
using TrafficMonitor.Hosting;
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

    private readonly JsonStateFile<Ledger> _current = new(Path.Combine(stateDirectory, FileName), () => LedgerJsonContext.Default.Ledger, "the traffic ledger", Damage, LedgerReader.Read);
    private readonly JsonStateFile<Ledger> _previous = new(Path.Combine(stateDirectory, PreviousFileName), () => LedgerJsonContext.Default.Ledger, "the traffic ledger", Damage, LedgerReader.Read);
    private byte[]? _lastWritten;

    public string FilePath => _current.FilePath;

    public string PreviousFilePath => _previous.FilePath;

    /// <summary>
    /// The newest readable ledger, or a new one. A damaged file is moved aside with a warning unless
    /// <paramref name="readOnly"/> (status must not change anything).
    /// </summary>
    public Ledger Load(bool readOnly)
    {
        foreach (var file in new[] { _current, _previous })
        {
            var read = Usable(file.Read);
            if (read.Document is { } ledger)
            {
                if (file == _previous)
                {
                    LogUsingPrevious(PreviousFilePath);
                }

                _lastWritten = read.Content;
                return ledger;
            }

            if (read.Status == StateFileStatus.Damaged && !readOnly)
            {
                LogLedgerDamaged(file.FilePath, file.MoveAside(timeProvider.GetUtcNow(), "damaged"), read.Damage!);
            }
        }

        return new Ledger();
    }

    public void Save(Ledger ledger) => Usable(() =>
    {
        if (_lastWritten is not null)
        {
            _current.WriteBytes(PreviousFilePath, _lastWritten);
        }

        _lastWritten = _current.Write(ledger);
        return true;
    });

    private static string? Damage(Ledger ledger) => ledger switch
    {
        { Version: > Ledger.CurrentVersion } => $"written by a newer version (ledger version {ledger.Version})",
        _ when ledger.Interfaces.Values.Any(i => i.Days.Values.Any(d => d.Rx < 0 || d.Tx < 0)) => "negative byte counts",
        _ => null,
    };

    /// <summary>Without its ledger the system provider has no usage to report: a state failure is a usage failure here.</summary>
    private static TResult Usable<TResult>(Func<TResult> operation)
    {
        try
        {
            return operation();
        }
        catch (StateException e)
        {
            throw new UsageUnavailableException(e.Message, e);
        }
    }

    [LoggerMessage(EventId = LogEvents.LedgerDamaged, Level = LogLevel.Warning,
        Message = "The traffic ledger {Path} is damaged ({Reason}); moved it to {MovedTo}. Counting continues from the newest ledger that can be trusted; " +
                  "if none is left, from now on: check the period's usage with your provider's panel and correct it with 'traffic-monitor set-usage'")]
    private partial void LogLedgerDamaged(string path, string movedTo, string reason);

    [LoggerMessage(EventId = LogEvents.LedgerUsingPrevious, Level = LogLevel.Warning,
        Message = "Continuing from the previous traffic ledger {Path}: it is one checkpoint older, and the kernel's counters since then are counted")]
    private partial void LogUsingPrevious(string path);
}
