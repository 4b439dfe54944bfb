using TrafficMonitor.Configuration;
using TrafficMonitor.Configuration.Sections;
using TrafficMonitor.Configuration.Yaml;

namespace TrafficMonitor.Enforcement;

/// <summary>
/// The options of a <c>do: shutdown</c> rule: <c>delay</c>, <c>command</c> and <c>boot_grace</c>, as in
/// <c>actions.shutdown</c>, whose values are the defaults.
/// </summary>
public sealed record ShutdownStepOptions(ShutdownActionOptions Shutdown) : IStepOptions
{
    public const string Kind = "shutdown";

    public bool Revertible => false;

    public IEnumerable<KeyValuePair<string, string>> Describe() => ShutdownSection.Describe(Shutdown);

    internal static ShutdownStepOptions? Read(SectionReader rule, StepReadContext context) =>
        ShutdownSection.ReadKeys(rule, context.ShutdownDefaults, withEnabled: false) is { } options ? new ShutdownStepOptions(options) : null;
}
