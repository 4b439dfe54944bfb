namespace TrafficMonitor.Usage.ProviderApi;

/// <summary>Both counts of one interval between two good readings of the provider's meter, in its measure.</summary>
public sealed record ProviderComparison(DateTimeOffset From, DateTimeOffset To, long ProviderBytes, long OwnBytes)
{
    /// <summary>Own minus provider: positive when the own counters counted more.</summary>
    public long DifferenceBytes => OwnBytes - ProviderBytes;

    /// <summary>The difference in percent of the provider's figure (of 1 byte when the provider counted none).</summary>
    public decimal DifferencePercent => Math.Round(DifferenceBytes * 100m / Math.Max(ProviderBytes, 1), 1);
}

/// <summary>
/// The provider's meter combined with the own counters for one check: what the decision counts
/// (<see cref="BilledBytes"/>: the provider's figure at its last good reading plus what the own counters moved
/// since) beside the own counters' figure for the whole period, and why, when the API is not answering.
/// </summary>
/// <param name="Kind">The provider_api.kind.</param>
/// <param name="Billing">How the provider bills, in words.</param>
/// <param name="BilledBytes">What the decision counts. Without a good reading in this period, the own counters' figure.</param>
/// <param name="OwnBytes">What the own counters count for the whole period, in the provider's measure.</param>
/// <param name="Reading">The last good reading in this period; null when there is none (the own counters alone decide).</param>
/// <param name="OwnSinceBytes">What the own counters moved since <paramref name="Reading"/>, in the provider's measure.</param>
/// <param name="Degraded">Why the latest poll failed, while it fails.</param>
/// <param name="Comparison">Both counts over the interval between this period's first and last good readings.</param>
public sealed record ProviderFigures(
    string Kind,
    string Billing,
    long BilledBytes,
    long OwnBytes,
    ProviderPoint? Reading,
    long OwnSinceBytes,
    long? LimitBytes,
    DateTimeOffset? NextReset,
    string? Degraded,
    ProviderComparison? Comparison)
{
    /// <summary>The provider's count and the own count differ by more than the tolerance, and the admin has not been told this period.</summary>
    public bool ReportDisagreement { get; init; }

    /// <summary>The API just stopped answering (the first failed poll of an outage): the admin is told once.</summary>
    public bool ReportUnavailable { get; init; }

    /// <summary>provider_api.tolerance, for messages.</summary>
    public decimal TolerancePercent { get; init; }

    /// <summary>Since when the API fails, while it does.</summary>
    public DateTimeOffset? FailingSince { get; init; }

    /// <summary>The decision's figure minus the own count for the period.</summary>
    public long DifferenceBytes => BilledBytes - OwnBytes;
}
