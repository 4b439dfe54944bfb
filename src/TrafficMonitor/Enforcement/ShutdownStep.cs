using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using TrafficMonitor.Configuration;
using TrafficMonitor.Platform;
using TrafficMonitor.Quota;
using TrafficMonitor.State;

namespace TrafficMonitor.Enforcement;

/// <summary>
/// Shuts the machine down at the critical point (or at its rule's point), with a delay, so logged-in users are warned
/// and can cancel it. The OS command is replaceable (<c>actions.shutdown.command</c>), which is also how tests run it
/// against a recorder.
/// </summary>
/// <param name="atBytes">Where it starts: its rule's point; null: the critical point.</param>
public sealed class ShutdownStep(
    ShutdownActionOptions options, ThresholdsOptions thresholds, IProcessRunner processRunner, IShutdownCommand osShutdown, long? atBytes = null) : IEnforcementStep
{
    public const string StepId = StateMigration.Version1ActionStep;
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    public string Id => StepId;

    public string Kind => ShutdownStepOptions.Kind;

    public bool Enabled => options.Enabled;

    public EnforcementStep Plan => new(StepId, atBytes ?? thresholds.CriticalBytes, options.BootGrace);

    internal static IEnforcementStep Create(RuleOptions rule, IServiceProvider services) => new ShutdownStep(
        ((ShutdownStepOptions)rule.Options).Shutdown with { Enabled = true },
        services.GetRequiredService<ThresholdsOptions>(),
        services.GetRequiredService<IProcessRunner>(),
        services.GetRequiredService<IShutdownCommand>(),
        rule.AtBytes);

    /// <summary>A shutdown is never in force, so a removed shutdown rule leaves nothing to undo.</summary>
    internal static IEnforcementStep ForRecord(string id, StepRecord record, IServiceProvider services) => new NothingToUndo(id, ShutdownStepOptions.Kind);

    public IReadOnlyList<string> Command => options.Command.Count > 0
        ? options.Command.Select(Expand).ToList()
        : osShutdown.Arguments(options.Delay);

    public string Description => !options.Enabled
        ? "no action (actions.shutdown.enabled is false)"
        : options.Command.Count > 0
            ? $"runs {string.Join(' ', Command)}"
            : options.Delay <= TimeSpan.Zero ? "the server shuts down now" : $"the server shuts down in {DurationParser.Format(osShutdown.RoundedDelay(options.Delay))}";

    public async Task<StepResult> ApplyAsync(StepContext context, CancellationToken cancellationToken)
    {
        try
        {
            var result = await processRunner.RunAsync(Command, CommandTimeout, cancellationToken).ConfigureAwait(false);
            if (result.ExitCode == 0)
            {
                return StepResult.Success;
            }

            // The command's output goes into a log line and a message: never raw.
            var output = PrintableText.OneLine((result.StandardError + " " + result.StandardOutput).Trim(), 400);
            return new StepResult(false, $"'{string.Join(' ', Command)}' exited with code {result.ExitCode}{(output.Length > 0 ? $": {output}" : string.Empty)}");
        }
        catch (Exception e) when (e is ProgramNotFoundException or TimeoutException)
        {
            return new StepResult(false, e.Message);
        }
    }

    public Task<StepResult> RevertAsync(StepContext context, CancellationToken cancellationToken) =>
        throw new NotSupportedException("A shutdown cannot be undone; the policy never asks (the step is not revertible).");

    private string Expand(string argument) => argument
        .Replace("{delay_seconds}", ((long)options.Delay.TotalSeconds).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{delay_minutes}", ((long)Math.Ceiling(options.Delay.TotalMinutes)).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
}
