using TrafficMonitor.Configuration;
using TrafficMonitor.Usage.ProviderApi.Hetzner;
using TrafficMonitor.Usage.ProviderApi.KiwiVm;

namespace TrafficMonitor.Usage.ProviderApi;

/// <summary>The one place <c>provider_api.kind</c> picks the meter.</summary>
public static class ProviderMeters
{
    /// <summary><c>provider_api.kind</c> was validated against <see cref="ProviderApiOptions.KnownKinds"/> at load.</summary>
    public static IProviderMeter Create(ProviderApiOptions api, HttpClient http, TimeProvider time) =>
        api.Kind == ProviderApiOptions.KiwiVmKind ? new KiwiVmMeter(api, http, time) : new HetznerMeter(api, http, time);
}
