using Microsoft.Extensions.Logging;
using TrafficMonitor.Hosting;
using TrafficMonitor.State;

namespace TrafficMonitor.Usage.ProviderApi;

/// <summary><c>provider.json</c> in the state directory: the provider meter's <see cref="ProviderRecord"/>.</summary>
public sealed partial class ProviderStore(string stateDirectory, ILogger<ProviderStore> logger)
{
    public const string FileName = "provider.json";

    private readonly JsonStateFile<ProviderRecord> _file = new(
        Path.Combine(stateDirectory, FileName),
        () => ProviderJsonContext.Default.ProviderRecord,
        "the provider API record",
        record => record.Version > ProviderRecord.CurrentVersion ? $"written by a newer version (version {record.Version})" : null);

    public string FilePath => _file.FilePath;

    /// <summary>The record for <paramref name="source"/> (kind and server); a fresh one when there is none, it is another server's, or it cannot be read.</summary>
    public ProviderRecord Load(string source)
    {
        try
        {
            var read = _file.Read();
            if (read.Status == StateFileStatus.Damaged)
            {
                LogUnreadable(FilePath, read.Damage!);
            }

            return read.Document is { } record && record.Source == source ? record : new ProviderRecord { Source = source };
        }
        catch (StateException e)
        {
            LogUnreadable(FilePath, e.Message);
            return new ProviderRecord { Source = source };
        }
    }

    public void Save(ProviderRecord record)
    {
        try
        {
            _file.Write(record);
        }
        catch (StateException e)
        {
            // The record only spares the API and repeated messages; the check goes on without it.
            LogNotSaved(FilePath, e.Message);
        }
    }

    [LoggerMessage(EventId = LogEvents.ProviderRecordUnreadable, Level = LogLevel.Warning,
        Message = "The provider API record {Path} cannot be read ({Reason}): starting afresh, so the API is asked at once")]
    private partial void LogUnreadable(string path, string reason);

    [LoggerMessage(EventId = LogEvents.ProviderRecordNotSaved, Level = LogLevel.Warning,
        Message = "The provider API record {Path} cannot be written ({Reason}): after a restart the API is asked again at once")]
    private partial void LogNotSaved(string path, string reason);
}
