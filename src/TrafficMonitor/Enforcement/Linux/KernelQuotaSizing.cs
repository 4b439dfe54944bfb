using System.Globalization;
using System.Text.Json;

namespace TrafficMonitor.Enforcement.Linux;

/// <summary>
/// Sizes the kernel's quota from the interface counters, which stay the truth. Pure.
/// </summary>
/// <remarks>
/// nft counts skb->len: at the inet hooks without the Ethernet header, and with GSO/TSO one set of headers per
/// super-packet, so the interfaces count more bytes than the kernel quota does (~4% for a TCP bulk transfer over
/// veth, more for small packets). The ratio interface bytes / kernel bytes is measured while the quota runs and the
/// kernel's allowance is the bytes left before the target, divided by it.
/// </remarks>
public static class KernelQuotaSizing
{
    /// <summary>The ratio assumed until one is measured: a little above what TCP bulk traffic shows, so a first guess errs short.</summary>
    public const double InitialRatio = 1.08;

    public const double MinRatio = 0.5;
    public const double MaxRatio = 2.0;

    /// <summary>Below this many kernel bytes a measured ratio is too noisy to use.</summary>
    public const long MinSampleBytes = 4 * 1024 * 1024;

    /// <summary>
    /// The margin when none is set: 0.5% of the limit, at least 4 MiB (the kernel stopped within ~1 MB of its target
    /// at veth speed, see docs/benchmarks.md) unless that is over a tenth of the limit, and at most 1 GiB.
    /// </summary>
    public static long DefaultMargin(long limit) => Math.Clamp(limit / 200, Math.Min(4L << 20, limit / 10), 1L << 30);

    /// <summary>Interface bytes per kernel byte since the quota was installed, or <paramref name="previous"/> while the sample is small.</summary>
    public static double Ratio(long interfaceBytes, long kernelBytes, double previous) =>
        kernelBytes < MinSampleBytes || interfaceBytes <= 0 ? previous : Math.Clamp((double)interfaceBytes / kernelBytes, MinRatio, MaxRatio);

    /// <summary>
    /// The kernel bytes to allow so the interfaces end at the target (<paramref name="limit"/> less the margin), after
    /// the <paramref name="inFlight"/> bytes (interface bytes) that move before the new quota takes over.
    /// </summary>
    public static long Allowance(long limit, long margin, long counted, double ratio, long inFlight) =>
        Math.Max(0, (long)Math.Floor((limit - margin - counted - inFlight) / ratio));

    /// <summary>Where the interfaces end when the kernel quota runs out.</summary>
    public static long Predicted(long counted, long allowance, long used, double ratio) =>
        counted + (long)Math.Round(Math.Max(0, allowance - used) * ratio);

    /// <summary>Whether the quota is worth re-creating: it would stop more than half the margin away from the target.</summary>
    public static bool NeedsRefresh(long predicted, long limit, long margin) => Math.Abs(predicted - (limit - margin)) > Math.Max(margin / 2, 1);

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
