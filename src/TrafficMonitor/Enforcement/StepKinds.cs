using TrafficMonitor.Configuration;
using TrafficMonitor.Configuration.Yaml;
using TrafficMonitor.Enforcement.Linux;
using TrafficMonitor.Platform;
using TrafficMonitor.State;

namespace TrafficMonitor.Enforcement;

/// <summary>What a kind's options reader may need besides the rule's own keys.</summary>
/// <param name="ShutdownDefaults"><c>actions.shutdown</c>: the defaults of a shutdown rule.</param>
internal sealed record StepReadContext(ShutdownActionOptions ShutdownDefaults, ThresholdsOptions? Thresholds);

/// <summary>Reads one rule's own keys (every key it reads is known; <c>at</c>, <c>do</c> and <c>id</c> are the ladder's); null when unusable.</summary>
internal delegate IStepOptions? StepOptionsReader(SectionReader rule, StepReadContext context);

/// <summary>Builds the step of one rule.</summary>
internal delegate IEnforcementStep StepFactory(RuleOptions rule, IServiceProvider services);

/// <summary>
/// Builds a step that can undo what a rule no longer in the settings left in force, from its record alone
/// (<see cref="StepRecord.Undo"/>: what the step said undoes it when it was applied).
/// </summary>
internal delegate IEnforcementStep RecordReverter(string id, StepRecord record, IServiceProvider services);

/// <summary>One value of <c>do</c>.</summary>
/// <param name="Needs">The OS the kind needs, as a message says it ("Linux (nftables)"); null: every OS.</param>
/// <param name="RunsOn">Whether <paramref name="Needs"/> is met.</param>
internal sealed record StepKind(
    string Name, string? Needs, Func<HostPlatform, bool> RunsOn, StepOptionsReader Read, StepFactory Create, RecordReverter ForRecord);

/// <summary>
/// Every value of <c>do</c>, the one place a kind is wired in: its options reader, its factory, and how a removed
/// rule's record is undone.
/// </summary>
internal static class StepKinds
{
    private static bool Anywhere(HostPlatform platform) => true;

    private static bool LinuxOnly(HostPlatform platform) => platform == HostPlatform.Linux;

    public static IReadOnlyDictionary<string, StepKind> All { get; } = new Dictionary<string, StepKind>(StringComparer.Ordinal)
    {
        [CommandStepOptions.Kind] = new(CommandStepOptions.Kind, null, Anywhere, CommandStepOptions.Read, CommandStep.Create, CommandStep.ForRecord),
        [ShutdownStepOptions.Kind] = new(ShutdownStepOptions.Kind, null, Anywhere, ShutdownStepOptions.Read, ShutdownStep.Create, ShutdownStep.ForRecord),
        [ThrottleStepOptions.Kind] = new(ThrottleStepOptions.Kind, "Linux (tc)", LinuxOnly, ThrottleStepOptions.Read, ThrottleStep.Create, ThrottleStep.ForRecord),
        [BlockStep.KindName] = new(BlockStep.KindName, "Linux (nftables)", LinuxOnly, BlockOptions.Read, BlockStep.Create, NftSteps.ForRecord(BlockStep.KindName, BlockStep.TableName)),
        [QuotaStep.KindName] = new(QuotaStep.KindName, "Linux (nftables)", LinuxOnly, QuotaOptions.Read, QuotaStep.Create, NftSteps.ForRecord(QuotaStep.KindName, QuotaStep.TableName)),
    };

    public static string Names => string.Join(", ", All.Keys);
}
