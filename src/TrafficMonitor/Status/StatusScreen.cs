using System.Globalization;
using System.Text;
using TrafficMonitor.Configuration;

namespace TrafficMonitor.Status;

/// <summary>How status may draw: colour and Unicode on a terminal, plain ASCII when piped or asked for.</summary>
/// <param name="Width">The terminal's width in columns; the bar and the chart fit in it.</param>
public sealed record ScreenStyle(bool Color, bool Unicode, int Width = 80)
{
    public static readonly ScreenStyle Plain = new(false, false);

    /// <summary>
    /// Colour and Unicode only on a terminal whose user did not ask otherwise: <c>NO_COLOR</c> (no-color.org) set to
    /// anything, or <c>TERM=dumb</c>, gives plain ASCII, as does any output that is not a terminal.
    /// </summary>
    public static ScreenStyle For(bool isTerminal, Func<string, string?> getEnvironment, int width)
    {
        var plain = !isTerminal || !string.IsNullOrEmpty(getEnvironment("NO_COLOR")) || getEnvironment("TERM") is "dumb";
        return plain ? Plain : new ScreenStyle(true, true, width > 0 ? width : 80);
    }
}

/// <summary>
/// Draws the status report's figures: the period's bar with the stages, the critical point and each step marked, the
/// per-day chart, the per-interface table and the forecast. Hand-written ANSI (a few SGR codes), so the daemon carries
/// no drawing library it never uses. Every number comes from the report; nothing is computed again here but the
/// positions of the marks.
/// </summary>
public static class StatusScreen
{
    private const int ChartRows = 6;
    private const string Reset = "\u001b[0m";

    private enum Tone
    {
        Good,
        Warn,
        Bad,
        Dim,
        Bold,
    }

    public static string Render(StatusReport report, SizeUnits units, ScreenStyle style)
    {
        var text = new StringBuilder();
        Bar(text, report, units, style);
        DayChart(text, report, units, style);
        InterfaceTable(text, report, units, style);
        ForecastLines(text, report, units, style);
        MonitorLine(text, report, units, style);
        return text.ToString();
    }

    private static string Paint(string text, Tone tone, ScreenStyle style) => !style.Color ? text : tone switch
    {
        Tone.Good => $"\u001b[32m{text}{Reset}",
        Tone.Warn => $"\u001b[33m{text}{Reset}",
        Tone.Bad => $"\u001b[1;31m{text}{Reset}",
        Tone.Dim => $"\u001b[2m{text}{Reset}",
        _ => $"\u001b[1m{text}{Reset}",
    };

    private static Tone UsageTone(long used, long critical) =>
        used >= critical ? Tone.Bad : used >= critical * 3 / 4 ? Tone.Warn : Tone.Good;

    private static string Size(long bytes, SizeUnits units) => ByteSize.Format(bytes, units);

    /// <summary>
    /// Where a step acts, which is where the bar marks it: a kernel quota is armed ahead (<see cref="StatusStep.AtBytes"/>)
    /// but stops traffic at its <see cref="StatusStep.StopsAtBytes"/>, and that is what a user reads the bar for.
    /// </summary>
    private static long? Point(StatusStep step) => step.AtBytes is null ? null : step.StopsAtBytes ?? step.AtBytes;

    /// <summary>The steps with a mark of their own on the bar: enabled, still in the settings, not at the critical point.</summary>
    private static IEnumerable<StatusStep> MarkedSteps(StatusReport report) =>
        report.Steps.Where(s => s.Enabled && Point(s) is { } at && at != report.CriticalBytes);

    private static string Legend(StatusStep step, SizeUnits units) =>
        step.StopsAtBytes is { } stops && step.AtBytes is { } armed
            ? $"{step.Id} stops traffic at {Size(stops, units)} (armed at {Size(armed, units)})"
            : $"{step.Id} at {Size(step.AtBytes!.Value, units)}";

    private static string Number(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>[#####.....|....] with a line of marks under it: a stage every interval, the critical point, each step.</summary>
    private static void Bar(StringBuilder text, StatusReport report, SizeUnits units, ScreenStyle style)
    {
        if (report.CountedBytes is not { } used)
        {
            return;
        }

        var width = Math.Clamp(style.Width - 12, 20, 60);
        int Cell(long bytes) => (int)Math.Clamp(Math.Round((double)bytes / report.LimitBytes * width), 0, width);
        var filled = Cell(used);
        var (full, empty) = style.Unicode ? ('█', '░') : ('#', '.');

        text.AppendLine();
        text.Append(Paint("Usage", Tone.Bold, style)).Append("  ");
        text.Append(style.Unicode ? '▕' : '[');
        text.Append(Paint(new string(full, filled), UsageTone(used, report.CriticalBytes), style));
        text.Append(Paint(new string(empty, width - filled), Tone.Dim, style));
        text.Append(style.Unicode ? '▏' : ']');
        text.AppendLine(CultureInfo.InvariantCulture, $" {report.PercentUsed?.ToString("0.#", CultureInfo.InvariantCulture)}%");

        var marks = new char[width + 1];
        Array.Fill(marks, ' ');
        if (report.IntervalBytes > 0 && report.LimitBytes / report.IntervalBytes <= width)
        {
            for (var stage = report.IntervalBytes; stage <= report.LimitBytes; stage += report.IntervalBytes)
            {
                marks[Cell(stage)] = style.Unicode ? '╵' : '|';
            }
        }

        var legend = new List<string>();
        if (report.Forecast is { } forecast)
        {
            marks[Cell(Math.Min(forecast.ProjectedBytes, report.LimitBytes))] = forecast.ProjectedBytes > report.LimitBytes ? '>' : style.Unicode ? '◆' : '*';
        }

        marks[Cell(report.CriticalBytes)] = style.Unicode ? '▲' : '^';
        var stepNumber = 0;
        foreach (var at in MarkedSteps(report).Select(s => Point(s)!.Value))
        {
            marks[Cell(at)] = (char)('1' + stepNumber++);
        }

        // Under the bar's first cell: "Usage  [" is eight columns wide.
        const string Indent = "        ";
        text.Append(Indent).AppendLine(new string(marks).TrimEnd());
        var atCritical = report.Steps.Where(s => s.Enabled && Point(s) == report.CriticalBytes)
            .Select(s => s.StopsAtBytes is not null ? $"{s.Id} stops traffic (armed at {Size(s.AtBytes!.Value, units)})" : s.Id).ToList();
        legend.Add($"{(style.Unicode ? "╵" : "|")} a stage every {Size(report.IntervalBytes, units)}");
        legend.Add($"{(style.Unicode ? "▲" : "^")} critical point {Size(report.CriticalBytes, units)}{(atCritical.Count > 0 ? ": " + string.Join(", ", atCritical) : string.Empty)}");
        stepNumber = 0;
        foreach (var step in MarkedSteps(report))
        {
            legend.Add($"{(char)('1' + stepNumber++)} {Legend(step, units)}");
        }

        if (report.Forecast is { } f)
        {
            legend.Add($"{(f.ProjectedBytes > report.LimitBytes ? ">" : style.Unicode ? "◆" : "*")} projected {Size(f.ProjectedBytes, units)} at the period's end");
        }

        // The legend wraps between its items, so a narrow terminal never breaks one in two.
        var line = new StringBuilder();
        foreach (var item in legend)
        {
            if (line.Length > 0 && Indent.Length + line.Length + 3 + item.Length > style.Width)
            {
                text.Append(Indent).AppendLine(Paint(line.ToString(), Tone.Dim, style));
                line.Clear();
            }

            line.Append(line.Length > 0 ? "   " : string.Empty).Append(item);
        }

        text.Append(Indent).AppendLine(Paint(line.ToString(), Tone.Dim, style));
    }

    /// <summary>One column per day of the period (two cells wide), scaled to the busiest day; days to come are dots.</summary>
    private static void DayChart(StringBuilder text, StatusReport report, SizeUnits units, ScreenStyle style)
    {
        if (report.Days.Count == 0)
        {
            return;
        }

        var byDate = report.Days.ToDictionary(d => d.Date, d => d.CountedBytes);
        var days = report.PeriodEnd.DayNumber - report.PeriodStart.DayNumber + 1;
        // A day without traffic has no row: today is the report's, not the last row's.
        var today = report.Today is { } day && day >= report.Days.Max(d => d.Date) ? day : report.Days.Max(d => d.Date);
        var peak = Math.Max(1, byDate.Values.Max());
        var budget = report.Forecast?.DailyBudgetBytes;
        var eighths = style.Unicode ? " ▁▂▃▄▅▆▇█" : null;

        text.AppendLine();
        text.Append(Paint("Per day", Tone.Bold, style)).AppendLine(CultureInfo.InvariantCulture, $" (counted; the tallest is {Size(peak, units)})");
        for (var row = ChartRows - 1; row >= 0; row--)
        {
            var line = new StringBuilder("  ");
            for (var i = 0; i < days; i++)
            {
                var date = report.PeriodStart.AddDays(i);
                if (date > today)
                {
                    line.Append(row == 0 ? (style.Unicode ? "· " : ". ") : "  ");
                    continue;
                }

                // Height in eighths of a row, so Unicode shows the top row's part; ASCII rounds to whole rows.
                var height = (double)byDate.GetValueOrDefault(date) / peak * ChartRows;
                var cell = height - row;
                string glyph;
                if (eighths is not null)
                {
                    glyph = cell >= 1 ? "█" : cell <= 0 ? " " : eighths[(int)Math.Round(cell * 8)].ToString();
                }
                else
                {
                    glyph = Math.Round(height) > row ? "#" : " ";
                }

                var over = budget is { } b && byDate.GetValueOrDefault(date) > b && date == today;
                line.Append(glyph == " " ? " " : Paint(glyph, over ? Tone.Warn : date == today ? Tone.Bold : Tone.Good, style)).Append(' ');
            }

            text.AppendLine(line.ToString().TrimEnd());
        }

        var axis = new StringBuilder("  ");
        for (var i = 0; i < days; i += 7)
        {
            axis.Append(report.PeriodStart.AddDays(i).ToString("dd", CultureInfo.InvariantCulture)).Append(' ', i + 7 < days ? 12 : 0);
        }

        text.AppendLine(Paint(axis.ToString().TrimEnd() + "   (day of the month)", Tone.Dim, style));
    }

    private static void InterfaceTable(StringBuilder text, StatusReport report, SizeUnits units, ScreenStyle style)
    {
        if (report.Interfaces.Count == 0)
        {
            return;
        }

        var nameWidth = Math.Max(9, report.Interfaces.Max(i => i.Name.Length));
        var rows = report.Interfaces.Select(i => (i.Name, Size(i.RxBytes, units), Size(i.TxBytes, units), Size(i.CountedBytes, units))).ToList();
        var countedHeader = $"counted ({report.CountMode})";
        var w = rows.Max(r => Math.Max(r.Item2.Length, Math.Max(r.Item3.Length, r.Item4.Length)));
        var wc = Math.Max(w, countedHeader.Length);
        text.AppendLine();
        text.AppendLine(Paint($"{"Interface".PadRight(nameWidth)}  {"rx".PadLeft(w)}  {"tx".PadLeft(w)}  {countedHeader.PadLeft(wc)}", Tone.Bold, style));
        foreach (var (name, rx, tx, counted) in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{name.PadRight(nameWidth)}  {rx.PadLeft(w)}  {tx.PadLeft(w)}  {counted.PadLeft(wc)}");
        }
    }

    private static void ForecastLines(StringBuilder text, StatusReport report, SizeUnits units, ScreenStyle style)
    {
        if (report.Forecast is not { } f)
        {
            return;
        }

        text.AppendLine();
        var early = f.Settled ? string.Empty : $" (early: {Number(f.BasisHours)} h)";
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{Paint("Forecast:", Tone.Bold, style)}        {Paint(Size(f.ProjectedBytes, units), UsageTone(f.ProjectedBytes, report.CriticalBytes), style)} at the period's end at the recent {Size(f.RecentBytesPerDay, units)}/day{early}");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"                 {Size(f.LinearBytes, units)} at the period's average rate (vnStat's linear estimate)");
        var critical = report.CriticalReached
            ? Paint("the critical point is already reached", Tone.Bad, style)
            : f.CriticalAt is { } at
                ? Paint($"the critical point is reached {at:yyyy-MM-dd HH:mm zzz}, before the period ends", Tone.Bad, style)
                : Paint("the critical point is not reached before the period ends", Tone.Good, style);
        text.AppendLine(CultureInfo.InvariantCulture, $"{Paint("At this rate:", Tone.Bold, style)}    {critical}");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{Paint("Today's budget:", Tone.Bold, style)}  {Size(f.DailyBudgetBytes, units)} a day for {f.DaysLeft} {(f.DaysLeft == 1 ? "day" : "days")} left (to the critical point {(style.Unicode ? "÷" : "/")} days left)");
    }

    /// <summary>What the monitor itself last decided, and how old that is: a stopped monitor shows as an old check.</summary>
    private static void MonitorLine(StringBuilder text, StatusReport report, SizeUnits units, ScreenStyle style)
    {
        text.AppendLine();
        if (report.Monitor is not { } view)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{Paint("Monitor:", Tone.Bold, style)}         no check recorded this period: is the monitor running? (systemctl status traffic-monitor)");
            return;
        }

        var age = Age(view.AgeSeconds);
        var stale = report.CheckIntervalSeconds > 0 && view.AgeSeconds > Math.Max(300, report.CheckIntervalSeconds * 3);
        var steps = view.Steps.Count == 0 ? string.Empty : "; " + string.Join(", ", view.Steps.Select(s =>
            !s.Enabled ? $"{s.Id} disabled"
            : s.Applied ? $"{s.Id} applied since {s.AppliedSince:yyyy-MM-dd HH:mm}"
            : s.RanThisPeriod && s.Revertible ? $"{s.Id} undone at {s.RevertedAt:yyyy-MM-dd HH:mm}"
            : s.RanThisPeriod ? $"{s.Id} ran at {s.LastRunAt:yyyy-MM-dd HH:mm}"
            : s.Failures > 0 ? $"{s.Id} FAILED {s.Failures} time(s)"
            : s.Held ? $"{s.Id} held"
            : $"{s.Id} not run"));
        var counted = view.CountedBytes is { } c ? $"counted {Size(c, units)}" : "counted unknown";
        var source = view.Source is { } src ? $" from {src}" : string.Empty;
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{Paint("Monitor:", Tone.Bold, style)}         last check {Paint(age + " ago", stale ? Tone.Warn : Tone.Good, style)}{source}: {counted}{(view.CriticalNotified ? ", critical notified" : string.Empty)}{steps}");
        if (stale)
        {
            text.AppendLine("                 that is long for a running monitor: is it running? (systemctl status traffic-monitor)");
        }
    }

    private static string Age(long seconds) => seconds switch
    {
        < 120 => $"{seconds} s",
        < 7200 => $"{seconds / 60} min",
        < 172_800 => $"{seconds / 3600} h",
        _ => $"{seconds / 86_400} days",
    };
}
