using TrafficMonitor.Configuration;

namespace TrafficMonitor.Usage.ProviderApi;

/// <summary>
/// What a provider's API said at one moment, already in bytes as it bills them. <see cref="BilledBytes"/> is the
/// figure its quota counts (Hetzner: outgoing; KiwiVM: data_counter × monthly_data_multiplier).
/// </summary>
/// <param name="ReadAt">When the answer arrived: the providers give no time of their own, so their counter is taken as of now.</param>
/// <param name="RxBytes">Received bytes, when the provider reports them apart (Hetzner's ingoing_traffic).</param>
/// <param name="TxBytes">Sent bytes, when the provider reports them apart (Hetzner's outgoing_traffic).</param>
/// <param name="LimitBytes">The plan's traffic in the period (Hetzner's included_traffic; KiwiVM's plan × multiplier).</param>
/// <param name="NextReset">When the provider's counter next starts from zero, when it says (KiwiVM's data_next_reset).</param>
/// <param name="Multiplier">How many billed bytes one moved byte costs (KiwiVM's monthly_data_multiplier; 1 elsewhere).</param>
public sealed record ProviderMeterReading(
    DateTimeOffset ReadAt,
    long BilledBytes,
    long? RxBytes,
    long? TxBytes,
    long? LimitBytes,
    DateTimeOffset? NextReset,
    decimal Multiplier = 1);

/// <summary>The provider's API could not be read or its answer cannot be trusted. The message carries no secret.</summary>
/// <param name="RetryAfter">How long the provider asked us to wait (429 with Retry-After), when it said.</param>
public sealed class ProviderApiException(string message, TimeSpan? retryAfter = null, Exception? inner = null) : Exception(message, inner)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>One provider's traffic meter, behind its API.</summary>
public interface IProviderMeter
{
    /// <summary>The <c>provider_api.kind</c>: hetzner, kiwivm.</summary>
    string Kind { get; }

    /// <summary>How this provider bills, in words: "outgoing traffic only".</summary>
    string Billing { get; }

    /// <summary>The address asked, with every secret masked: safe for logs and output.</summary>
    string Endpoint { get; }

    /// <exception cref="ProviderApiException">No answer, a refused token, a rate limit, a server error or an answer that does not parse.</exception>
    Task<ProviderMeterReading> ReadAsync(CancellationToken cancellationToken);

    /// <summary>What the own counters moved, in the same measure as <see cref="ProviderMeterReading.BilledBytes"/> (before any multiplier).</summary>
    long OwnBilled(UsageReading own, CountMode count);
}
