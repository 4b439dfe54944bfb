using System.Globalization;

namespace TrafficMonitor.Tests.Components;

/// <summary>
/// A local stand-in for a provider's traffic API on 127.0.0.1 (a <see cref="WebhookServer"/> answering the
/// documented JSON shapes): Hetzner Cloud's <c>GET /v1/servers/{id}</c> and KiwiVM's <c>GET /v1/getServiceInfo</c>.
/// Each answer is the meter's state when the request arrives, so a test moves the meter like the provider would.
/// </summary>
public sealed class ProviderApiServer : IDisposable
{
    private readonly WebhookServer _server = new();
    private readonly Func<ProviderApiServer, string> _body;

    private ProviderApiServer(Func<ProviderApiServer, string> body)
    {
        _body = body;
        _server.Default = new Reply(200, "{}");
        _server.OnRequest = _ => _server.Default = new Reply(200, _body(this));
    }

    /// <summary>Hetzner Cloud: outgoing, ingoing (null until counted) and included traffic, in bytes.</summary>
    public static ProviderApiServer Hetzner() => new(s => HetznerServer(s.Outgoing, s.Ingoing, s.Included));

    /// <summary>KiwiVM: data_counter and plan_monthly_data (before monthly_data_multiplier), data_next_reset.</summary>
    public static ProviderApiServer KiwiVm() => new(s => KiwiVmService(s.Outgoing ?? 0, s.Included, s.Multiplier, s.NextReset));

    public long? Outgoing { get; set; } = 0;

    public long? Ingoing { get; set; } = 0;

    public long Included { get; set; } = 20L << 40;

    public decimal Multiplier { get; set; } = 1;

    public DateTimeOffset NextReset { get; set; } = new(2026, 12, 17, 0, 0, 0, TimeSpan.Zero);

    public string Url => $"http://127.0.0.1:{_server.Port}";

    public IReadOnlyList<ReceivedRequest> Requests => _server.Requests;

    /// <summary>The next requests get these answers (failures), then the meter again.</summary>
    public ProviderApiServer Answer(params Reply[] replies)
    {
        _server.Answer(replies);
        return this;
    }

    public void Dispose() => _server.Dispose();

    /// <summary>A server record as Hetzner's API reference documents it (abridged to the fields around the traffic ones).</summary>
    public static string HetznerServer(long? outgoing, long? ingoing, long included) => $$"""
        {
          "server": {
            "id": 42,
            "name": "my-resource",
            "status": "running",
            "created": "2016-01-30T23:55:00Z",
            "public_net": { "ipv4": { "id": 42, "ip": "1.2.3.4", "blocked": false, "dns_ptr": "server01.example.com" }, "ipv6": null, "floating_ips": [], "firewalls": [] },
            "server_type": { "id": 1, "name": "cx22", "cores": 2, "memory": 4, "disk": 40, "deprecated": false },
            "datacenter": { "id": 42, "name": "fsn1-dc8", "location": { "id": 42, "name": "fsn1", "network_zone": "eu-central" } },
            "image": null,
            "iso": null,
            "rescue_enabled": false,
            "locked": false,
            "backup_window": "22-02",
            "outgoing_traffic": {{Json(outgoing)}},
            "ingoing_traffic": {{Json(ingoing)}},
            "included_traffic": {{included.ToString(CultureInfo.InvariantCulture)}},
            "protection": { "delete": false, "rebuild": false },
            "labels": {},
            "volumes": [],
            "load_balancers": [],
            "primary_disk_size": 50,
            "placement_group": null
          }
        }
        """;

    /// <summary>A getServiceInfo answer as KiwiVM's API documents it (abridged).</summary>
    public static string KiwiVmService(long dataCounter, long planMonthlyData, decimal multiplier, DateTimeOffset nextReset) => $$"""
        {
          "vm_type": "kvm",
          "hostname": "my-vps",
          "node_ip": "10.0.0.1",
          "node_alias": "v1234",
          "node_location": "US, California",
          "node_location_id": "USCA_6",
          "node_datacenter": "US: Los Angeles, California (DC6 CN2 GIA-E)",
          "location_ipv6_ready": true,
          "plan": "kvmv5-20g-1g-1t",
          "plan_monthly_data": {{planMonthlyData.ToString(CultureInfo.InvariantCulture)}},
          "monthly_data_multiplier": {{multiplier.ToString(CultureInfo.InvariantCulture)}},
          "plan_disk": 21474836480,
          "plan_ram": 1073741824,
          "plan_swap": 0,
          "os": "debian-12-x86_64",
          "email": "admin@example.com",
          "data_counter": {{dataCounter.ToString(CultureInfo.InvariantCulture)}},
          "data_next_reset": {{nextReset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}},
          "ip_addresses": ["203.0.113.7"],
          "rdns_api_available": true,
          "suspended": false,
          "policy_violation": false,
          "error": 0
        }
        """;

    private static string Json(long? bytes) => bytes?.ToString(CultureInfo.InvariantCulture) ?? "null";
}
