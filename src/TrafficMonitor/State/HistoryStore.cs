using Microsoft.Extensions.Logging;
using TrafficMonitor.Hosting;

namespace TrafficMonitor.State;

/// <summary>Keeps <see cref="PeriodHistory"/> in <c>history.json</c> in the state directory, validated on read like the state file.</summary>
public sealed partial class HistoryStore(string stateDirectory, TimeProvider timeProvider, ILogger<HistoryStore> logger)
{
    public const string FileName = "history.json";

    private readonly JsonStateFile<PeriodHistory> _file = new(
        Path.Combine(stateDirectory, FileName),
        () => StateJsonContext.Default.PeriodHistory,
        "the period history",
        Validate);

    public string FilePath => _file.FilePath;

    /// <summary>The history for display: missing, unreadable or damaged reads as empty and the file is left alone.</summary>
    public PeriodHistory Peek() => _file.Peek() ?? new PeriodHistory();

    /// <summary>
    /// Adds (or replaces) one period's record. A damaged file is moved aside with a warning and the history starts
    /// afresh: the past is worth less than the present check. Throws <see cref="StateException"/> when it cannot write.
    /// </summary>
    public void Add(PeriodRecord record)
    {
        var read = _file.Read();
        if (read.Status == StateFileStatus.Damaged)
        {
            LogHistoryUnreadable(FilePath, _file.MoveAside(timeProvider.GetUtcNow(), "unreadable"), read.Damage!);
        }

        _file.Write((read.Document ?? new PeriodHistory()).With(record));
    }

    private static string? Validate(PeriodHistory history) => history switch
    {
        { Version: > PeriodHistory.CurrentVersion } => $"written by a newer version (history version {history.Version})",
        _ when history.Periods.Count > PeriodHistory.MaxPeriods => $"{history.Periods.Count} periods, more than the {PeriodHistory.MaxPeriods} kept",
        _ when history.Periods.Any(p => p is null || p.Steps.Any(s => s is null)) => "a null period or step record",
        _ when history.Periods.Any(p => p.PeriodEnd < p.PeriodStart || p.CountedBytes < 0 || p.RxBytes < 0 || p.TxBytes < 0 || p.LimitBytes <= 0) =>
            "a period that ends before it starts, or a negative byte count",
        _ when history.Periods.Zip(history.Periods.Skip(1)).Any(pair => pair.First.PeriodStart >= pair.Second.PeriodStart) => "periods out of order",
        _ => null,
    };

    [LoggerMessage(EventId = LogEvents.HistoryUnreadable, Level = LogLevel.Warning,
        Message = "The period history {Path} could not be read ({Reason}); moved it to {MovedTo} and starting it afresh: 'traffic-monitor history' shows only the periods from now on")]
    private partial void LogHistoryUnreadable(string path, string movedTo, string reason);
}
