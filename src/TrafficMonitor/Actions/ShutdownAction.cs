using System.Globalization;
using TrafficMonitor.Configuration;
using TrafficMonitor.Platform;

namespace TrafficMonitor.Actions;

public sealed record ActionResult(bool Succeeded, string? Error)
{
    public static ActionResult Success { get; } = new(true, null);
}

/// <summary>
/// Shuts the machine down with a delay, so logged-in users are warned and can cancel it. The OS command
/// is replaceable (<c>actions.shutdown.command</c>), which is also how tests run it against a recorder.
/// </summary>
public sealed class ShutdownAction(ShutdownActionOptions options, IProcessRunner processRunner)
{
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    public IReadOnlyList<string> Command => options.Command.Count > 0
        ? options.Command.Select(Expand).ToList()
        : ShutdownCommand.Default(options.Delay);

    /// <summary>How the action reads in messages: "the server shuts down in 1 min".</summary>
    public string Description => !options.Enabled
        ? "no action (actions.shutdown.enabled is false)"
        : options.Command.Count > 0
            ? $"runs {string.Join(' ', Command)}"
            : options.Delay <= TimeSpan.Zero ? "the server shuts down now" : $"the server shuts down in {DurationParser.Format(ShutdownCommand.RoundedDelay(options.Delay))}";

    public async Task<ActionResult> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            var result = await processRunner.RunAsync(Command, CommandTimeout, cancellationToken).ConfigureAwait(false);
            if (result.ExitCode == 0)
            {
                return ActionResult.Success;
            }

            var output = (result.StandardError + " " + result.StandardOutput).Trim();
            return new ActionResult(false, $"'{string.Join(' ', Command)}' exited with code {result.ExitCode}{(output.Length > 0 ? $": {output}" : string.Empty)}");
        }
        catch (Exception e) when (e is ProgramNotFoundException or TimeoutException)
        {
            return new ActionResult(false, e.Message);
        }
    }

    /// <summary>The OS shutdown command for <paramref name="delay"/>: see <see cref="ShutdownCommand.Default"/>.</summary>
    public static IReadOnlyList<string> OperatingSystemCommand(TimeSpan delay) => ShutdownCommand.Default(delay);

    private string Expand(string argument) => argument
        .Replace("{delay_seconds}", ((long)options.Delay.TotalSeconds).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{delay_minutes}", ((long)Math.Ceiling(options.Delay.TotalMinutes)).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
}
