namespace TrafficMonitor.Configuration;

/// <summary>
/// The optional <c>provider_api</c> section: read the hosting provider's own traffic meter (what it bills) and add
/// what the interfaces counted since, so the decision uses the billed figure without the provider's lag.
/// </summary>
public sealed class ProviderApiOptions
{
    public const string SectionName = "provider_api";
    public const string TokenEnvironmentVariable = "TRAFFIC_MONITOR_PROVIDER_TOKEN";

    /// <summary>Hetzner Cloud: <c>GET /v1/servers/{id}</c> with a bearer token; bills outgoing traffic only.</summary>
    public const string HetznerKind = "hetzner";

    /// <summary>KiwiVM (BandwagonHost): <c>GET /v1/getServiceInfo?veid=…&amp;api_key=…</c>; one counter, one plan.</summary>
    public const string KiwiVmKind = "kiwivm";

    /// <summary>The value of <c>thresholds.total_limit</c> and <c>monitor.reset_day</c> that adopts the provider's own.</summary>
    public const string FromProvider = "provider";

    public static readonly Uri HetznerDefaultApiUrl = new("https://api.hetzner.cloud");
    public static readonly Uri KiwiVmDefaultApiUrl = new("https://api.64clouds.com");

    public static readonly TimeSpan DefaultPoll = TimeSpan.FromMinutes(15);

    /// <summary>Providers limit request rates (Hetzner: 3600 an hour per project), and their meters move slower than this anyway.</summary>
    public static readonly TimeSpan MinPoll = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan MaxPoll = TimeSpan.FromDays(1);
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(5);
    public const decimal DefaultTolerancePercent = 5;

    public static IReadOnlyList<string> KnownKinds { get; } = [HetznerKind, KiwiVmKind];

    public required string Kind { get; init; }

    public required Secret Token { get; init; }

    /// <summary>Hetzner's server id, or KiwiVM's veid.</summary>
    public required string ServerId { get; init; }

    public required Uri ApiUrl { get; init; }

    /// <summary>The API is asked no more often than this.</summary>
    public TimeSpan Poll { get; init; } = DefaultPoll;

    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>How far (in percent of the provider's figure) the own count of the same interval may differ before the admin is told.</summary>
    public decimal TolerancePercent { get; init; } = DefaultTolerancePercent;

    /// <summary>The key naming the server in the settings file, for messages.</summary>
    public string ServerIdKey => Kind == KiwiVmKind ? "veid" : "server_id";

    public static Uri DefaultApiUrl(string kind) => kind == KiwiVmKind ? KiwiVmDefaultApiUrl : HetznerDefaultApiUrl;

    /// <summary>Whether the kind's API tells when its billing period resets (KiwiVM's data_next_reset; Hetzner's does not).</summary>
    public static bool GivesResetDay(string kind) => kind == KiwiVmKind;
}
