using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using TrafficMonitor.Configuration;
using TrafficMonitor.State;

namespace TrafficMonitor.Cli.Commands;

/// <summary><c>history [--periods N] [--json]</c>: past periods' totals and what was notified or done, from the state directory.</summary>
internal static class HistoryCommand
{
    public const int DefaultPeriods = 12;

    public static Command Create(SettingsAction withSettings)
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON document (byte counts as integers)" };
        var periods = new Option<int>("--periods", "-n")
        {
            Description = $"How many past periods to show, newest last (1–{PeriodHistory.MaxPeriods}; default {DefaultPeriods})",
            DefaultValueFactory = _ => DefaultPeriods,
        };
        periods.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > PeriodHistory.MaxPeriods)
            {
                result.AddError($"--periods: give a number from 1 to {PeriodHistory.MaxPeriods} (the history keeps {PeriodHistory.MaxPeriods} periods)");
            }
        });
        var command = new Command("history", "Show past billing periods: rx, tx, counted, limit, and what was notified or done in each");
        command.Options.Add(periods);
        command.Options.Add(json);
        command.SetAction(withSettings((context, cancellationToken) => ShowAsync(context, context.Parse.GetValue(periods), context.Parse.GetValue(json))));
        return command;
    }

    private static async Task<int> ShowAsync(CommandContext context, int count, bool json)
    {
        using var parts = context.Parts();
        var store = parts.HistoryStore;
        var history = store.Peek();
        var shown = history with { Periods = history.Periods.TakeLast(count).ToList() };
        var text = json
            ? JsonSerializer.Serialize(shown, StateJsonContext.Default.PeriodHistory) + Environment.NewLine
            : Format(shown, context.Settings.Thresholds.Units, store.FilePath);
        await context.Output.WriteAsync(text).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    public static string Format(PeriodHistory history, SizeUnits units, string path)
    {
        var text = new StringBuilder();
        if (history.Periods.Count == 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"No past period recorded yet in {path}: a period is added when the next one starts.");
            return text.ToString();
        }

        string Size(long? bytes) => bytes is { } b ? ByteSize.Format(b, units) : "-";
        var rows = history.Periods.Select(p => new[]
        {
            $"{p.PeriodStart:yyyy-MM-dd} to {p.PeriodEnd:yyyy-MM-dd}",
            Size(p.RxBytes),
            Size(p.TxBytes),
            Size(p.CountedBytes),
            Size(p.LimitBytes),
            p.CountedBytes is { } c ? (c * 100m / p.LimitBytes).ToString("0.#", CultureInfo.InvariantCulture) + "%" : "-",
            Events(p, units),
        }).ToList();
        string[] header = ["Period", "rx", "tx", "counted", "limit", "used", "notified / done"];
        var widths = Enumerable.Range(0, header.Length - 1).Select(i => Math.Max(header[i].Length, rows.Max(r => r[i].Length))).ToList();
        string Line(string[] cells) => string.Join("  ", cells.Take(widths.Count).Select((cell, i) => i == 0 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]))) + "  " + cells[^1];
        text.AppendLine(Line(header));
        foreach (var row in rows)
        {
            text.AppendLine(Line(row));
        }

        text.AppendLine().AppendLine("Totals are the last check's of each period: traffic between it and the reset is not in them.");
        return text.ToString();
    }

    private static string Events(PeriodRecord p, SizeUnits units)
    {
        var events = new List<string>();
        if (p.HighestStageNotified > 0)
        {
            events.Add($"stages up to {ByteSize.Format(p.HighestStageNotified, units)}");
        }

        if (p.ForecastCriticalDay is { } day)
        {
            events.Add($"forecast warned of {day:yyyy-MM-dd}");
        }

        if (p.CriticalNotified)
        {
            events.Add("critical");
        }

        events.AddRange(p.Steps.Where(s => s.Runs > 0 || s.Failures > 0).Select(s =>
            s.Runs > 0 ? $"{s.Id} ran {s.Runs}x{(s.LastRunAt is { } at ? $" (last {at:yyyy-MM-dd HH:mm})" : string.Empty)}" : $"{s.Id} failed {s.Failures}x"));
        return events.Count == 0 ? "nothing" : string.Join("; ", events);
    }
}
