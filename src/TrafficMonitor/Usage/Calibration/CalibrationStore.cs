using System.Text.Json;
using Microsoft.Extensions.Logging;
using TrafficMonitor.State;

namespace TrafficMonitor.Usage.Calibration;

/// <summary>
/// <c>calibration.json</c> in the state directory: written by <c>set-usage</c>, read by the running monitor
/// (re-read only when the file changes, so a check stays cheap).
/// </summary>
public sealed partial class CalibrationStore(string stateDirectory, ILogger<CalibrationStore> logger)
{
    public const string FileName = "calibration.json";

    private DateTime _seenWriteTime = DateTime.MinValue;
    private Calibration? _current;

    public string FilePath { get; } = Path.Combine(stateDirectory, FileName);

    public Calibration? Current()
    {
        var written = File.GetLastWriteTimeUtc(FilePath);
        if (written == _seenWriteTime)
        {
            return _current;
        }

        _seenWriteTime = written;
        try
        {
            _current = File.Exists(FilePath) ? JsonSerializer.Deserialize(File.ReadAllBytes(FilePath), CalibrationJsonContext.Default.Calibration) : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            LogUnreadable(FilePath, e.Message);
            _current = null;
        }

        return _current;
    }

    public void Save(Calibration calibration)
    {
        try
        {
            AtomicFile.Write(FilePath, JsonSerializer.SerializeToUtf8Bytes(calibration, CalibrationJsonContext.Default.Calibration));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateException($"cannot write {FilePath}: {e.Message}. Run as the user the monitor runs as (often root), or set monitor.state_dir", e);
        }
    }

    [LoggerMessage(EventId = 620, Level = LogLevel.Warning,
        Message = "The usage calibration {Path} cannot be read ({Reason}): counting without it. Run 'traffic-monitor set-usage' again to fix it")]
    private partial void LogUnreadable(string path, string reason);
}
