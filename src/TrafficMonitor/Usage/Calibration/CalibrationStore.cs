using Microsoft.Extensions.Logging;
using TrafficMonitor.Hosting;
using TrafficMonitor.State;

namespace TrafficMonitor.Usage.Calibration;

/// <summary>
/// <c>calibration.json</c> in the state directory: written by <c>set-usage</c>, read by the running monitor
/// (re-read only when the file changes, so a check stays cheap).
/// </summary>
public sealed partial class CalibrationStore(string stateDirectory, ILogger<CalibrationStore> logger)
{
    public const string FileName = "calibration.json";

    private readonly JsonStateFile<Calibration> _file = new(Path.Combine(stateDirectory, FileName), () => CalibrationJsonContext.Default.Calibration, "the usage calibration");
    private DateTime _seenWriteTime = DateTime.MinValue;
    private Calibration? _current;

    public string FilePath => _file.FilePath;

    public Calibration? Current()
    {
        var written = File.GetLastWriteTimeUtc(FilePath);
        if (written == _seenWriteTime)
        {
            return _current;
        }

        _seenWriteTime = written;
        _current = null;
        try
        {
            var read = _file.Read();
            if (read.Status == StateFileStatus.Damaged)
            {
                LogUnreadable(FilePath, read.Damage!);
            }

            _current = read.Document;
        }
        catch (StateException e)
        {
            LogUnreadable(FilePath, e.Message);
        }

        return _current;
    }

    public void Save(Calibration calibration) => _file.Write(calibration);

    /// <summary>Removes the calibration; false when there was none.</summary>
    /// <exception cref="StateException">The file cannot be removed.</exception>
    public bool Clear()
    {
        try
        {
            if (!File.Exists(FilePath))
            {
                return false;
            }

            File.Delete(FilePath);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateException($"cannot remove the usage calibration {FilePath}: {e.Message.TrimEnd('.')}. Run as a user that can write there", e);
        }
    }

    [LoggerMessage(EventId = LogEvents.CalibrationUnreadable, Level = LogLevel.Warning,
        Message = "The usage calibration {Path} cannot be read ({Reason}): counting without it. Run 'traffic-monitor set-usage' again to fix it")]
    private partial void LogUnreadable(string path, string reason);
}
