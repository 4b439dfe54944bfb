namespace TrafficMonitor.Tests.Components;

/// <summary>
/// Tests whose bounds are about what happens at full line rate (the kernel quota's overshoot): they run alone, after
/// the others, so two cores are not shared with the rest of the suite while they measure.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LineRateTests
{
    public const string Name = "Line rate";
}
