namespace TrafficMonitor.Configuration;

/// <summary>
/// The options of one kind of enforcement step (<c>command</c>, <c>shutdown</c>, and the kinds other builds add), read
/// from one item of <c>actions.rules</c> by the kind's own reader (<see cref="Enforcement.StepKinds"/>).
/// </summary>
public interface IStepOptions
{
    /// <summary>
    /// Whether the step stays in force until undone: such a step is undone at a new period, while enforcement is
    /// paused, when its rule leaves the settings and when usage falls below its point, and applied again after a reboot.
    /// </summary>
    bool Revertible { get; }

    /// <summary>The step's own keys as check-config prints them (defaults filled in).</summary>
    IEnumerable<KeyValuePair<string, string>> Describe();

    /// <summary>
    /// Where the step is applied for a rule whose <c>at</c> is <paramref name="atBytes"/>: there, unless the step must
    /// act ahead of it (a kernel quota is installed before the point where it stops traffic).
    /// </summary>
    long StartsAt(long atBytes, ThresholdsOptions thresholds) => atBytes;
}

/// <summary>One item of <c>actions.rules</c>: at <see cref="At"/> of the quota, do <see cref="Kind"/>.</summary>
/// <param name="Id">Names the step in the state file, status and messages: the item's <c>id</c>, else <c>{do}@{at}</c> (<c>shutdown</c> for the shutdown).</param>
/// <param name="Kind">The item's <c>do</c>: command, shutdown, …</param>
/// <param name="At">The item's <c>at</c> as written: "95%" or "1.9 TiB".</param>
/// <param name="AtBytes">Where the step starts, in counted bytes.</param>
public sealed record RuleOptions(string Id, string Kind, string At, long AtBytes, IStepOptions Options)
{
    public const string RulesKey = "rules";
    public const string SectionName = $"{ShutdownActionOptions.ActionsSectionName}.{RulesKey}";

    /// <summary>The longest id: it goes into the state file, status, messages and the environment of commands.</summary>
    public const int MaxIdLength = 64;

    /// <summary>The most rules: a ladder is a handful of steps; each is a process or a firewall change at its point.</summary>
    public const int MaxRules = 20;

    /// <summary>Whether <see cref="At"/> is a percentage of the limit ("95%") rather than a size.</summary>
    public bool IsPercentage => At.Trim().EndsWith('%');

    /// <summary>
    /// Where the step starts under <paramref name="thresholds"/>: a percentage ("95%") follows the limit in force (the
    /// provider's, with <c>total_limit: provider</c>), a size stays <see cref="AtBytes"/>. The same rounding as at load.
    /// </summary>
    public long PointIn(ThresholdsOptions thresholds) =>
        IsPercentage && Sections.RulesSection.TryPoint(At, thresholds, out var bytes) ? bytes : AtBytes;

    /// <summary>Where the step is applied under <paramref name="thresholds"/>: <see cref="PointIn"/>, or ahead of it for a step that must be (<see cref="IStepOptions.StartsAt"/>).</summary>
    public long StartsIn(ThresholdsOptions thresholds) => Options.StartsAt(PointIn(thresholds), thresholds);
}
