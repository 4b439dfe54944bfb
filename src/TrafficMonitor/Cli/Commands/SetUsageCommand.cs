using System.CommandLine;
using TrafficMonitor.Configuration;
using TrafficMonitor.Quota;
using TrafficMonitor.State;
using TrafficMonitor.Usage;
using TrafficMonitor.Usage.Calibration;

namespace TrafficMonitor.Cli.Commands;

/// <summary>
/// <c>set-usage SIZE [--rx SIZE] [--tx SIZE]</c>: saves the difference between the provider's panel and what is measured
/// as this period's calibration, for the running monitor to pick up. <c>set-usage --clear</c> removes it.
/// </summary>
internal static class SetUsageCommand
{
    public static Command Create(SettingsAction withSettings)
    {
        var usage = new Argument<string?>("SIZE")
        {
            Description = "The period's usage as your provider's panel shows it, e.g. \"812 GB\" (a plain number is GiB)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var rx = new Option<string?>("--rx") { Description = "Received (download) as the panel shows it" };
        var tx = new Option<string?>("--tx") { Description = "Sent (upload) as the panel shows it" };
        var clear = new Option<bool>("--clear") { Description = "Remove this period's calibration: count what the interfaces moved again" };
        var command = new Command("set-usage", "Set this billing period's counted usage to what your provider's panel shows (kept as an offset for this period only)");
        command.Arguments.Add(usage);
        command.Options.Add(rx);
        command.Options.Add(tx);
        command.Options.Add(clear);
        command.Validators.Add(result =>
        {
            var hasSize = result.GetValue(usage) is not null || result.GetValue(rx) is not null || result.GetValue(tx) is not null;
            if (result.GetValue(clear) && hasSize)
            {
                result.AddError("set-usage --clear takes no SIZE, --rx or --tx: it removes the calibration");
            }
            else if (!result.GetValue(clear) && result.GetValue(usage) is null)
            {
                result.AddError("Required argument 'SIZE' missing for command: 'set-usage' (or --clear to remove the calibration).");
            }
        });
        command.SetAction(withSettings((context, cancellationToken) => context.Parse.GetValue(clear)
            ? ClearAsync(context)
            : SetAsync(context, [("SIZE", context.Parse.GetValue(usage)), ("--rx", context.Parse.GetValue(rx)), ("--tx", context.Parse.GetValue(tx))], cancellationToken)));
        return command;
    }

    private static async Task<int> ClearAsync(CommandContext context)
    {
        using var parts = context.Parts();
        var store = parts.CalibrationStore;
        try
        {
            var removed = store.Clear();
            await context.Output.WriteLineAsync(removed
                ? $"Calibration removed ({store.FilePath}): the period's usage is what the interfaces move again, from the next check on."
                : "There is no calibration to remove: the period's usage is what the interfaces move.").ConfigureAwait(false);
            return ExitCodes.Success;
        }
        catch (StateException e)
        {
            await context.Error.WriteLineAsync($"traffic-monitor: set-usage --clear: {e.Message}").ConfigureAwait(false);
            return ExitCodes.StateUnavailable;
        }
    }

    /// <param name="texts">SIZE, --rx and --tx as given, by the name a problem is reported under.</param>
    private static async Task<int> SetAsync(CommandContext context, (string Name, string? Text)[] texts, CancellationToken cancellationToken)
    {
        var (settings, output, error) = (context.Settings, context.Output, context.Error);
        var sizes = new List<long?>();
        foreach (var (name, text) in texts)
        {
            if (text is null)
            {
                sizes.Add(null);
            }
            else if (ByteSize.TryParse(text, out var size, out var problem) && size.Bytes >= 0)
            {
                sizes.Add(size.Bytes);
            }
            else
            {
                await error.WriteLineAsync($"traffic-monitor: set-usage {name}: {(size.Bytes < 0 ? "must not be negative" : problem)}").ConfigureAwait(false);
                return ExitCodes.BadCommandLine;
            }
        }

        // A direction is part of the whole: a panel never shows more received (or sent) than used in all.
        foreach (var index in new[] { 1, 2 })
        {
            if (sizes[index] > sizes[0])
            {
                await error.WriteLineAsync(
                    $"traffic-monitor: set-usage {texts[index].Name}: {texts[index].Text} is more than SIZE ({texts[0].Text}), the whole it is part of: " +
                    "give the figures as the panel shows them").ConfigureAwait(false);
                return ExitCodes.BadCommandLine;
            }
        }

        // Read-only: the running monitor owns the ledger; it picks the new calibration up at its next check.
        using var parts = context.Parts();
        var source = parts.Usage;
        var time = parts.Time;
        var period = CheckTime.From(time).Period(settings.Monitor.ResetDay);
        UsageReading measured;
        try
        {
            measured = await source.Inner.ReadAsync(period, cancellationToken).ConfigureAwait(false);
        }
        catch (UsageUnavailableException e)
        {
            await error.WriteLineAsync($"traffic-monitor: set-usage: usage cannot be read from {source.Name}, so there is nothing to calibrate: {e.Message}").ConfigureAwait(false);
            return ExitCodes.UsageUnavailable;
        }

        try
        {
            var calibration = CalibratedUsageSource.Calibrate(
                measured, settings.Monitor.Count, settings.Monitor.AdjustPercent, sizes[0]!.Value, sizes[1], sizes[2], time.GetUtcNow());
            parts.CalibrationStore.Save(calibration);
        }
        catch (UsageUnavailableException e)
        {
            await error.WriteLineAsync($"traffic-monitor: set-usage: {e.Message}").ConfigureAwait(false);
            return ExitCodes.UsageUnavailable;
        }
        catch (StateException e)
        {
            await error.WriteLineAsync($"traffic-monitor: set-usage: {e.Message}").ConfigureAwait(false);
            return ExitCodes.StateUnavailable;
        }

        var units = settings.Thresholds.Units;
        var measuredCounted = UsageReading.Count(settings.Monitor.Count, measured.MeasuredRx, measured.MeasuredTx);
        await output.WriteLineAsync(
            $"Counted usage for {period} set to {ByteSize.Format(sizes[0]!.Value, units)} ({sizes[0]} bytes); " +
            $"{source.Name} measured {ByteSize.Format(measuredCounted, units)} ({measuredCounted} bytes) on {string.Join(", ", measured.Interfaces.Select(i => i.Name))}. " +
            $"The difference is kept until the period ends; traffic from now on is added to it.").ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
