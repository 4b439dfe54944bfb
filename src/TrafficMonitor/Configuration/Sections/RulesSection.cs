using System.Globalization;
using System.Text;
using TrafficMonitor.Configuration.Yaml;
using TrafficMonitor.Enforcement;
using TrafficMonitor.Enforcement.Linux;
using TrafficMonitor.Platform;
using static TrafficMonitor.Configuration.Sections.SettingsText;

namespace TrafficMonitor.Configuration.Sections;

/// <summary>
/// <c>actions.rules</c>: the enforcement ladder, a list of <c>{at, do, ...options}</c>. Each item is checked on its own
/// (its kind, this OS, its kind's options), then across items (points ascending, ids unique); every problem is told.
/// </summary>
internal static class RulesSection
{
    /// <returns>The rules; empty when there are none (or any is unusable: the problems say why).</returns>
    public static IReadOnlyList<RuleOptions> Read(SectionReader actions, ThresholdsOptions? thresholds, ShutdownActionOptions shutdown, HostPlatform platform)
    {
        var items = actions.SectionList(RuleOptions.RulesKey);
        if (items is null)
        {
            return [];
        }

        if (items.Count == 0)
        {
            actions.Problem(RuleOptions.RulesKey, "is an empty list: list the steps (- at: \"95%\"  do: command ...), or remove the key for the shutdown at the critical point");
            return [];
        }

        if (items.Count > RuleOptions.MaxRules)
        {
            actions.Problem(RuleOptions.RulesKey, $"has {items.Count} rules: at most {RuleOptions.MaxRules} are allowed");
            return [];
        }

        var context = new StepReadContext(shutdown, thresholds);
        var rules = new List<(SectionReader Item, RuleOptions? Rule)>();
        foreach (var item in items)
        {
            rules.Add((item, ReadItem(item, thresholds, context, platform)));
        }

        var ok = rules.All(r => r.Rule is not null);
        RuleOptions? previous = null;
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        string? throttle = null;
        foreach (var (item, rule) in rules)
        {
            if (rule is null)
            {
                continue;
            }

            // Two throttles would own the same root qdiscs: each would put its rate back over the other's at every
            // check, and the first one undone would take away what the other must restore.
            if (rule.Kind == ThrottleStepOptions.Kind && throttle is not null)
            {
                item.Problem("do", $"is a second throttle rule ({throttle} is one): the interfaces hold one rate at a time; keep one throttle rule");
                ok = false;
            }
            else if (rule.Kind == ThrottleStepOptions.Kind)
            {
                throttle = item.Path;
            }

            // With total_limit: provider a percentage follows a limit not known yet: only points of one form compare.
            if (previous is not null && rule.AtBytes < previous.AtBytes
                && (thresholds is not { LimitFromProvider: true } || rule.IsPercentage == previous.IsPercentage))
            {
                item.Problem("at", $"{Quoted.Value(rule.At)} comes before the rule above it ({previous.At}): list the rules in ascending order of at");
                ok = false;
            }

            if (!ids.TryAdd(rule.Id, item.Path))
            {
                item.Problem(item.Has("id") ? "id" : "at",
                    rule.Kind == ShutdownStepOptions.Kind
                        ? "is a second shutdown rule: one shutdown is enough (the first one ends the server's day)"
                        : $"{Quoted.Value(rule.Id)} names {ids[rule.Id]} too: give each rule its own id");
                ok = false;
            }

            previous = rule;
        }

        return ok ? rules.Select(r => r.Rule!).ToList() : [];
    }

    private static RuleOptions? ReadItem(SectionReader item, ThresholdsOptions? thresholds, StepReadContext context, HostPlatform platform)
    {
        var atText = item.String("at");
        var kindText = item.String("do");
        var idText = item.NonBlankString("id", "leave the key out to name the step by its kind and point");
        if (!item.Exists)
        {
            item.Missing(string.Empty, "must be a rule: at: \"95%\" and do: one of " + StepKinds.Names);
            return null;
        }

        var at = ReadPoint(item, "at", atText, thresholds);
        StepKind? kind = null;
        if (kindText is null)
        {
            item.Missing("do", $"missing: what to do at this point, one of {StepKinds.Names}");
        }
        else if (!StepKinds.All.TryGetValue(kindText.Trim(), out kind))
        {
            item.Problem("do", $"{Quoted.Value(kindText)} is not a kind of step: use one of {StepKinds.Names}");
        }
        else if (!kind.RunsOn(platform))
        {
            item.Problem("do", $"'{kind.Name}' needs {kind.Needs}, and this is {platform.Name}: use one of {string.Join(", ", StepKinds.All.Values.Where(k => k.RunsOn(platform)).Select(k => k.Name))}");
            kind = null;
        }

        // The kind's own keys are read (and so known) before the unknown ones are told. A kind refused on this OS
        // reads none: its keys are not called unknown (rate: is no typo of at:), its refusal says it all.
        var options = kind?.Read(item, context);
        if (kind is not null || kindText is null || !StepKinds.All.ContainsKey(kindText.Trim()))
        {
            item.ReportUnknownKeys();
        }
        if (idText is not null && idText.Trim().Length > RuleOptions.MaxIdLength)
        {
            item.Problem("id", $"is longer than {RuleOptions.MaxIdLength} characters");
            return null;
        }

        if (at is not { } point || kind is null || options is null)
        {
            return null;
        }

        var id = idText?.Trim() ?? (kind.Name == ShutdownStepOptions.Kind ? ShutdownStepOptions.Kind : $"{kind.Name}@{atText!.Trim()}");
        return new RuleOptions(id, kind.Name, atText!.Trim(), point, options);
    }

    /// <summary>
    /// A point of the quota (<c>at</c>, a quota rule's <c>arm_at</c>): "95%" of total_limit, or a size with its unit;
    /// a bare number could be either, so it is refused.
    /// </summary>
    internal static long? ReadPoint(SectionReader item, string key, string? text, ThresholdsOptions? thresholds)
    {
        if (text is null)
        {
            item.Missing(key, "missing: where the step starts, a percentage of thresholds.total_limit (\"95%\") or a size (\"1.9 TiB\")");
            return null;
        }

        var trimmed = text.Trim();
        if (trimmed.EndsWith('%'))
        {
            if (!decimal.TryParse(trimmed[..^1].Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percent) || percent <= 0 || percent > 1000)
            {
                item.Problem(key, $"{Quoted.Value(text)} is not a percentage above 0% and at most 1000% of thresholds.total_limit");
                return null;
            }

            if (thresholds is null)
            {
                return null;
            }

            var bytes = (long)Math.Floor(thresholds.TotalLimit.Bytes * (percent / 100m));
            if (bytes < 1)
            {
                item.Problem(key, $"{Quoted.Value(text)} of thresholds.total_limit ({thresholds.TotalLimit}) is 0 B: the step would act at once");
                return null;
            }

            return bytes;
        }

        if (decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _))
        {
            item.Problem(key, $"{Quoted.Value(text)} has no unit: write a percentage of thresholds.total_limit (\"{trimmed}%\") or a size (\"{trimmed} GiB\")");
            return null;
        }

        if (!ByteSize.TryParse(trimmed, out var size, out var error))
        {
            item.Problem(key, $"{error}; or write a percentage of thresholds.total_limit, e.g. \"95%\"");
            return null;
        }

        if (size.Bytes < 1)
        {
            item.Problem(key, "is 0 B: the step would act at once");
            return null;
        }

        return size.Bytes;
    }

    /// <summary>A point already checked by <see cref="ReadPoint"/>, under <paramref name="thresholds"/> (the provider's limit may move a percentage).</summary>
    internal static bool TryPoint(string text, ThresholdsOptions thresholds, out long bytes)
    {
        var trimmed = text.Trim();
        bytes = 0;
        if (trimmed.EndsWith('%'))
        {
            if (!decimal.TryParse(trimmed[..^1].Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percent))
            {
                return false;
            }

            bytes = Math.Max(1, (long)Math.Floor(thresholds.TotalLimit.Bytes * (percent / 100m)));
            return true;
        }

        if (!ByteSize.TryParse(trimmed, out var size, out _))
        {
            return false;
        }

        bytes = size.Bytes;
        return true;
    }

    public static void Print(IReadOnlyList<RuleOptions> rules, ThresholdsOptions thresholds, StringBuilder text)
    {
        if (rules.Count == 0)
        {
            text.AppendLine($"  {RuleOptions.RulesKey}: (none: the shutdown above acts at the critical point)");
            return;
        }

        text.AppendLine($"  {RuleOptions.RulesKey}:");
        foreach (var rule in rules)
        {
            var starts = rule.StartsIn(thresholds);
            var armed = starts == rule.AtBytes ? string.Empty : $"; armed ahead, at {ByteSize.Format(starts, thresholds.Units)}";
            text.AppendLine(CultureInfo.InvariantCulture, $"    - at: {rule.At}   # {ByteSize.Format(rule.AtBytes, thresholds.Units)}, {rule.AtBytes} bytes{armed}");
            Line(text, 3, "do", rule.Kind);
            Line(text, 3, "id", rule.Id);
            foreach (var (key, value) in rule.Options.Describe())
            {
                Line(text, 3, key, value);
            }
        }
    }

    /// <summary>What a <c>block</c> or <c>quota</c> rule always lets through; null for the other kinds.</summary>
    public static Enforcement.Linux.AllowedTraffic? AllowedTraffic(IStepOptions options) => options switch
    {
        Enforcement.Linux.BlockOptions block => block.Allowed,
        Enforcement.Linux.QuotaOptions quota => quota.Allowed,
        _ => null,
    };

    /// <param name="runAs">Whom the monitor will run as (the service's user and group); null: as this process.</param>
    public static IEnumerable<string> Warnings(TrafficMonitorSettings settings, Enforcement.Linux.ProcessCredentials? runAs = null)
    {
        // A program named by its path that is not there fails when the step is due, which may be weeks away: say it now.
        for (var i = 0; i < settings.Rules.Count; i++)
        {
            if (settings.Rules[i].Options is CommandStepOptions command)
            {
                foreach (var (key, list) in new[] { ("run", command.Run), ("undo", command.Undo ?? []) })
                {
                    if (list is [var program, ..] && Path.IsPathFullyQualified(program) && !File.Exists(program))
                    {
                        yield return $"{RuleOptions.SectionName}[{i}].{key}: {Quoted.Value(program)} does not exist, so this step will fail when it is due";
                    }
                }
            }
        }

        // The block and the quota let the monitor's own traffic through; as root in group root that is every root process.
        for (var i = 0; i < settings.Rules.Count; i++)
        {
            var step = settings.Rules[i].Options is Enforcement.Linux.QuotaOptions ? "the kernel quota" : "the block";
            if (AllowedTraffic(settings.Rules[i].Options)?.Warning(runAs ?? Enforcement.Linux.ProcessCredentials.Current(), step) is { } warning)
            {
                yield return $"{RuleOptions.SectionName}[{i}] ({settings.Rules[i].Id}): {warning}";
            }
        }

        foreach (var rule in settings.Rules.Where(r => r.Options is ShutdownStepOptions))
        {
            foreach (var warning in ShutdownSection.Warnings(((ShutdownStepOptions)rule.Options).Shutdown))
            {
                yield return warning.Replace(ShutdownActionOptions.SectionName, $"{RuleOptions.SectionName} ({rule.Id})", StringComparison.Ordinal);
            }
        }
    }
}
