using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using TrafficMonitor.Configuration;
using TrafficMonitor.Platform;
using TrafficMonitor.Quota;
using TrafficMonitor.State;

namespace TrafficMonitor.Enforcement;

/// <summary>
/// A <c>do: command</c> rule: runs its <c>run</c> list (no shell) when usage reaches its point and, when it has one,
/// its <c>undo</c> list when the step is undone. The command learns why from its environment
/// (<see cref="EnvironmentFor"/>) and a non-zero exit is a failure, retried at a later check.
/// </summary>
public sealed class CommandStep(string id, long atBytes, CommandStepOptions options, IProcessRunner processRunner) : IEnforcementStep
{
    /// <summary>A failing command is tried again no sooner than this, however fast checks come near a threshold.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    public const string EventVariable = "TRAFFIC_MONITOR_EVENT";
    public const string StepVariable = "TRAFFIC_MONITOR_STEP";
    public const string UsedVariable = "TRAFFIC_MONITOR_USED_BYTES";
    public const string LimitVariable = "TRAFFIC_MONITOR_LIMIT_BYTES";
    public const string PercentVariable = "TRAFFIC_MONITOR_PERCENT";
    public const string PeriodStartVariable = "TRAFFIC_MONITOR_PERIOD_START";
    public const string PeriodEndVariable = "TRAFFIC_MONITOR_PERIOD_END";
    public const string AtVariable = "TRAFFIC_MONITOR_AT_BYTES";

    public string Id => id;

    public string Kind => CommandStepOptions.Kind;

    public bool Enabled => true;

    public string Description => options.Undo is null
        ? $"runs {string.Join(' ', options.Run)}"
        : $"runs {string.Join(' ', options.Run)} (undone by {string.Join(' ', options.Undo)})";

    public IReadOnlyList<string> Command => options.Run;

    // A one-off command is an event of the period: it never runs twice in one, whatever restarts.
    public EnforcementStep Plan => new(id, atBytes, TimeSpan.Zero, options.Revertible) { OncePerPeriod = !options.Revertible, RetryAfter = RetryAfter };

    public IReadOnlyList<string> UndoRecord => options.Undo ?? [];

    internal static IEnforcementStep Create(RuleOptions rule, IServiceProvider services) =>
        new CommandStep(rule.Id, rule.AtBytes, (CommandStepOptions)rule.Options, services.GetRequiredService<IProcessRunner>());

    /// <summary>A removed rule's step: it can only be undone, with the undo list its record kept.</summary>
    internal static IEnforcementStep ForRecord(string id, StepRecord record, IServiceProvider services) =>
        new CommandStep(id, long.MaxValue, new CommandStepOptions([], record.Undo is { Count: > 0 } undo ? undo : null, CommandStepOptions.DefaultTimeout), services.GetRequiredService<IProcessRunner>());

    public Task<StepResult> ApplyAsync(StepContext context, CancellationToken cancellationToken) => RunAsync(options.Run, context, cancellationToken);

    public Task<StepResult> RevertAsync(StepContext context, CancellationToken cancellationToken) =>
        options.Undo is { } undo ? RunAsync(undo, context, cancellationToken) : Task.FromResult(StepResult.Success);

    /// <summary>What a command is told: the event, the step, and the check's numbers (no secret: those stay in the monitor).</summary>
    public static IReadOnlyDictionary<string, string> EnvironmentFor(StepContext context, long atBytes)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [EventVariable] = context.Event.ToString().ToLowerInvariant(),
            [StepVariable] = context.StepId,
        };
        if (atBytes != long.MaxValue)
        {
            environment[AtVariable] = atBytes.ToString(CultureInfo.InvariantCulture);
        }

        if (context.Snapshot is { } s)
        {
            environment[UsedVariable] = s.UsedBytes.ToString(CultureInfo.InvariantCulture);
            environment[LimitVariable] = s.LimitBytes.ToString(CultureInfo.InvariantCulture);
            environment[PercentVariable] = s.Percent.ToString("0.##", CultureInfo.InvariantCulture);
            environment[PeriodStartVariable] = Iso8601.Day(s.Period.Start);
            environment[PeriodEndVariable] = Iso8601.Day(s.Period.LastDay);
        }

        return environment;
    }

    private async Task<StepResult> RunAsync(IReadOnlyList<string> command, StepContext context, CancellationToken cancellationToken)
    {
        try
        {
            var result = await processRunner.RunAsync(command, options.Timeout, cancellationToken, EnvironmentFor(context, atBytes)).ConfigureAwait(false);
            if (result.ExitCode == 0)
            {
                return StepResult.Success;
            }

            var output = (result.StandardError + " " + result.StandardOutput).Trim();
            return StepResult.Failure($"'{string.Join(' ', command)}' exited with code {result.ExitCode}{(output.Length > 0 ? $": {Quoted.Cut(output)}" : string.Empty)}");
        }
        catch (Exception e) when (e is ProgramNotFoundException or TimeoutException)
        {
            return StepResult.Failure(e.Message);
        }
    }
}
