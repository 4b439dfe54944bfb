using System.Globalization;
using System.Text.Json;

namespace TrafficMonitor.Enforcement.Linux;

/// <summary>
/// Sizes the kernel's quota from the interface counters, which stay the truth. Pure.
/// </summary>
/// <remarks>
/// nft counts skb->len: at the inet hooks without the Ethernet header, and with GSO/TSO one set of headers per
/// super-packet, so the interfaces count more bytes than the kernel quota does (~4% for a TCP bulk transfer over
/// veth, more for small packets, and it varies with load: a starved CPU changes GRO/GSO sizes). The ratio interface
/// bytes / kernel bytes is measured while the quota runs, and every allowance is sized with a ratio a little above
/// it (<see cref="Safety"/>), so it errs short: the traffic then stops a little before the target and the next
/// refresh lets the rest through, each round's error a few percent of the last one's.
/// </remarks>
public static class KernelQuotaSizing
{
    /// <summary>The ratio assumed until one is measured: a little above what TCP bulk traffic shows.</summary>
    public const double InitialRatio = 1.08;

    public const double MinRatio = 0.5;
    public const double MaxRatio = 2.0;

    /// <summary>Allowances are sized with the measured ratio times this: 3% more interface bytes per kernel byte than seen.</summary>
    public const double Safety = 1.03;

    /// <summary>Below this many kernel bytes a measured ratio is too noisy to use.</summary>
    public const long MinSampleBytes = 4 * 1024 * 1024;

    /// <summary>
    /// The margin when none is set: 0.25% of the limit, at least 2 MiB unless that is over a tenth of the limit, and
    /// at most 1 GiB. The kernel aims there and stops between it and the limit (see docs/benchmarks.md).
    /// </summary>
    public static long DefaultMargin(long limit) => Math.Clamp(limit / 400, Math.Min(2L << 20, limit / 10), 1L << 30);

    /// <summary>
    /// How far short of the target a spent quota may stop before a refresh lets the rest through: half the margin,
    /// at least 64 KiB (less is a few packets, not worth waking a stalled TCP connection for).
    /// </summary>
    public static long Tolerance(long margin) => Math.Max(margin / 2, 64 * 1024);

    /// <summary>Interface bytes per kernel byte, or <paramref name="previous"/> while the sample is small.</summary>
    public static double Ratio(long interfaceBytes, long kernelBytes, double previous) =>
        kernelBytes < MinSampleBytes || interfaceBytes <= 0 ? previous : Math.Clamp((double)interfaceBytes / kernelBytes, MinRatio, MaxRatio);

    /// <summary>
    /// The kernel bytes to allow so the interfaces, at <paramref name="counted"/> now, end no later than the target
    /// (<paramref name="limit"/> less the margin), with the ratio made <see cref="Safety"/> larger.
    /// </summary>
    public static long Allowance(long limit, long margin, long counted, double ratio) =>
        Math.Max(0, (long)Math.Floor((limit - margin - counted) / (ratio * Safety)));

    /// <summary>Where the interfaces end when the kernel quota runs out.</summary>
    public static long Predicted(long counted, long allowance, long used, double ratio) =>
        counted + (long)Math.Round(Math.Max(0, allowance - used) * ratio);

    /// <summary>(bytes, used) of the first quota in <c>nft -j list quota</c> output.</summary>
    public static (long Over, long Used) ParseQuotaJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        foreach (var item in document.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (item.TryGetProperty("quota", out var quota))
            {
                return (quota.GetProperty("bytes").GetInt64(), quota.TryGetProperty("used", out var used) ? used.GetInt64() : 0);
            }
        }

        throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"no quota in nft's output: {json[..Math.Min(json.Length, 200)]}"));
    }
}
