using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using TrafficMonitor.Hosting;
using TrafficMonitor.Quota;
using TrafficMonitor.State;

namespace TrafficMonitor.Enforcement;

[JsonConverter(typeof(JsonStringEnumConverter<EnforcementCommand>))]
public enum EnforcementCommand
{
    Pause,
    Resume,
    RevertAll,
}

/// <summary>What <c>pause</c>, <c>resume</c> or <c>revert-all</c> asked of the monitor that owns the state directory.</summary>
/// <param name="Until">For a pause: when it ends by itself; null: at <c>resume</c>.</param>
public sealed record EnforcementRequest(EnforcementCommand Command, DateTimeOffset? Until, DateTimeOffset RequestedAt)
{
    /// <summary>The state once the request is carried out; the policy then undoes what a hold does not allow.</summary>
    public MonitorState ApplyTo(MonitorState state, DateTimeOffset now) => Command switch
    {
        EnforcementCommand.Pause => EnforcementPolicy.Paused(state, now, Until),
        EnforcementCommand.RevertAll => EnforcementPolicy.Paused(state, now, null, revertAll: true),
        _ => EnforcementPolicy.Resumed(state),
    };
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(EnforcementRequest))]
internal sealed partial class EnforcementRequestJsonContext : JsonSerializerContext;

/// <summary>
/// <c>enforcement-request.json</c> in the state directory: written by <c>pause</c>, <c>resume</c> and <c>revert-all</c>
/// while a monitor owns the directory, taken (read and removed) by that monitor at its next check. The latest request
/// wins, as the commands are meant: a pause then a resume is a resume.
/// </summary>
public sealed partial class EnforcementRequests(string stateDirectory, ILogger<EnforcementRequests> logger)
{
    public const string FileName = "enforcement-request.json";

    private readonly JsonStateFile<EnforcementRequest> _file = new(
        Path.Combine(stateDirectory, FileName), () => EnforcementRequestJsonContext.Default.EnforcementRequest, "the enforcement request");

    public string FilePath => _file.FilePath;

    /// <exception cref="StateException">The file cannot be written.</exception>
    public void Save(EnforcementRequest request) => _file.Write(request);

    /// <summary>The waiting request, removed so it is carried out once; null when there is none (checked cheaply at every check).</summary>
    public EnforcementRequest? Take()
    {
        if (!File.Exists(FilePath))
        {
            return null;
        }

        try
        {
            var read = _file.Read();
            File.Delete(FilePath);
            if (read.Status == StateFileStatus.Damaged)
            {
                LogUnreadable(FilePath, read.Damage!);
            }

            return read.Document;
        }
        catch (Exception e) when (e is StateException or IOException or UnauthorizedAccessException)
        {
            LogUnreadable(FilePath, Configuration.Quoted.Reason(e));
            return null;
        }
    }

    /// <summary>Whether a request still waits for the monitor (for the command to say so).</summary>
    public bool Pending => File.Exists(FilePath);

    [LoggerMessage(EventId = LogEvents.EnforcementRequestUnreadable, Level = LogLevel.Warning,
        Message = "The enforcement request {Path} cannot be used ({Reason}): run traffic-monitor pause, resume or revert-all again")]
    private partial void LogUnreadable(string path, string reason);
}
