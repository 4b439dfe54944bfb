using System.CommandLine;
using System.Text.Json;
using TrafficMonitor.Status;

namespace TrafficMonitor.Cli.Commands;

/// <summary><c>status [--json]</c>: this period's numbers, read without changing anything; exit 69 when usage cannot be read.</summary>
internal static class StatusCommand
{
    public static Command Create(SettingsAction withSettings)
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON document (byte counts as integers)" };
        var command = new Command("status", "Show this billing period's usage, stages, critical point, per-day chart and forecast, and what the monitor last decided");
        command.Options.Add(json);
        command.SetAction(withSettings((context, cancellationToken) => ShowAsync(context, context.Parse.GetValue(json), cancellationToken)));
        return command;
    }

    private static async Task<int> ShowAsync(CommandContext context, bool json, CancellationToken cancellationToken)
    {
        using var parts = context.Parts();
        var reporter = new StatusReporter(
            context.Settings, parts.Usage, parts.StateStore, parts.StateFallback, parts.EnforcementSteps, parts.Outbox, parts.AutoUsage, parts.Time);
        var report = await reporter.BuildAsync(cancellationToken).ConfigureAwait(false);
        if (json)
        {
            await context.Output.WriteLineAsync(JsonSerializer.Serialize(report, StatusJsonContext.Default.StatusReport)).ConfigureAwait(false);
        }
        else
        {
            var terminal = ReferenceEquals(context.Output, Console.Out) && !Console.IsOutputRedirected;
            var style = ScreenStyle.For(terminal, context.GetEnvironment, terminal ? WindowWidth() : 0);
            await context.Output.WriteAsync(StatusReporter.FormatText(report, context.Settings.Thresholds.Units, style)).ConfigureAwait(false);
        }

        return report.UsageError is null ? ExitCodes.Success : ExitCodes.UsageUnavailable;
    }

    private static int WindowWidth()
    {
        try
        {
            return Console.WindowWidth;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
