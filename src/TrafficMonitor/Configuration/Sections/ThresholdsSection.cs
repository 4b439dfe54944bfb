using System.Globalization;
using System.Text;
using TrafficMonitor.Configuration.Yaml;
using static TrafficMonitor.Configuration.Sections.SettingsText;

namespace TrafficMonitor.Configuration.Sections;

/// <summary>The <c>thresholds</c> section: required, and the only one without which there are no settings.</summary>
internal static class ThresholdsSection
{
    /// <returns>Null when the section is missing or invalid (the problems say why).</returns>
    public static ThresholdsOptions? Read(SectionReader top)
    {
        var section = top.Section(ThresholdsOptions.SectionName);
        if (!section.Exists)
        {
            section.Missing(string.Empty, "missing: add thresholds with total_limit, interval and critical_percentage");
        }

        var fromProvider = section.IsScalar("total_limit") && IsFromProvider(section.String("total_limit"));
        var totalLimit = fromProvider ? null : section.Size("total_limit");
        var interval = section.Size("interval");
        var critical = section.Number("critical_percentage");
        section.ReportUnknownKeys();
        if (!section.Exists)
        {
            return null;
        }

        var ok = true;
        if (fromProvider)
        {
            // provider_api checks that its kind gives a limit; the stand-in keeps every loop over stages bounded.
            totalLimit = interval is { Bytes: > 0 } step ? step with { Bytes = step.Bytes * ThresholdsOptions.MaxStages } : null;
        }
        else if (totalLimit is null)
        {
            ok &= section.Require("total_limit", "the billing period's quota, e.g. 2000 (GiB) or \"2 TB\"");
        }
        else if (totalLimit.Value.Bytes <= 0)
        {
            section.Problem("total_limit", "must be more than zero");
            ok = false;
        }

        if (interval is null)
        {
            ok &= section.Require("interval", "how often to alert, e.g. 100 (GiB) or \"100 GB\"");
        }
        else if (interval.Value.Bytes <= 0)
        {
            section.Problem("interval", "must be more than zero");
            ok = false;
        }
        else if (fromProvider)
        {
            // Checked against the provider's quota when it is known.
        }
        else if (totalLimit is { } limit && interval.Value.Bytes > limit.Bytes)
        {
            section.Problem("interval", $"{interval} is above thresholds.total_limit ({limit}): no stage would ever be reached");
            ok = false;
        }
        else if (totalLimit is { } whole && whole.Bytes / interval.Value.Bytes is var stages && stages > ThresholdsOptions.MaxStages)
        {
            var smallest = ByteSize.FormatAtLeast((decimal)whole.Bytes / ThresholdsOptions.MaxStages, whole.DisplayUnits);
            section.Problem("interval", $"{interval} makes {stages} stages up to thresholds.total_limit ({whole}): at most {ThresholdsOptions.MaxStages} are allowed, so use an interval of at least {smallest}");
            ok = false;
        }

        if (critical is null)
        {
            ok &= section.Require("critical_percentage", "the percentage of total_limit at which the critical action runs, e.g. 90");
        }
        else if (critical <= 0 || critical > 100)
        {
            section.Problem("critical_percentage", $"{critical} is outside (0, 100]: use a percentage above 0 and at most 100");
            ok = false;
        }
        else if (!fromProvider && totalLimit is { Bytes: > 0 } quota && Math.Floor(quota.Bytes * critical.Value / 100m) < 1)
        {
            // The critical point is rounded down to a byte; at 0 B the action would run on the first check.
            section.Problem("critical_percentage", $"{critical}% of thresholds.total_limit ({quota}) is 0 B: the critical action would run at once; raise total_limit or critical_percentage");
            ok = false;
        }

        return ok
            ? new ThresholdsOptions { TotalLimit = totalLimit!.Value, Interval = interval!.Value, CriticalPercentage = critical!.Value, LimitFromProvider = fromProvider }
            : null;
    }

    private static bool IsFromProvider(string? text) => string.Equals(text?.Trim(), ProviderApiOptions.FromProvider, StringComparison.OrdinalIgnoreCase);

    public static void Print(ThresholdsOptions thresholds, StringBuilder text)
    {
        text.AppendLine("thresholds:");
        if (thresholds.LimitFromProvider)
        {
            Line(text, 1, "total_limit", "provider   # what provider_api reads (the plan's included traffic)");
            Line(text, 1, "interval", Size(thresholds.Interval));
            Line(text, 1, "critical_percentage", $"{thresholds.CriticalPercentage.ToString(CultureInfo.InvariantCulture)}   # of the provider's limit");
            return;
        }

        Line(text, 1, "total_limit", Size(thresholds.TotalLimit));
        Line(text, 1, "interval", Size(thresholds.Interval));
        Line(text, 1, "critical_percentage", $"{thresholds.CriticalPercentage.ToString(CultureInfo.InvariantCulture)}   # critical point: {ByteSize.Format(thresholds.CriticalBytes, thresholds.Units)}");
    }
}
