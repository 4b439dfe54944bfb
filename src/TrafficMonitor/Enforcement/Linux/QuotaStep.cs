using System.Globalization;
using System.Text.Json;
using TrafficMonitor.Configuration;
using TrafficMonitor.Configuration.Yaml;
using TrafficMonitor.Quota;

namespace TrafficMonitor.Enforcement.Linux;

/// <summary>Which hooks the kernel quota counts, from <c>monitor.count</c>: rx counts inbound, tx outbound, total and max both.</summary>
[Flags]
public enum QuotaDirections
{
    Inbound = 1,
    Outbound = 2,
    Both = Inbound | Outbound,
}

/// <summary>The options of a <c>do: quota</c> rule.</summary>
/// <param name="Limit">Where the kernel stops traffic (<c>limit</c>); null: <c>thresholds.total_limit</c>.</param>
/// <param name="Margin">How far before the limit the kernel aims to stop (<c>margin</c>); null: 0.5% of the limit, at most 1 GiB.</param>
public sealed record QuotaOptions(AllowedTraffic Allowed, ByteSize? Limit = null, ByteSize? Margin = null)
{
    public static QuotaOptions Default { get; } = new(AllowedTraffic.Default);

    public long LimitBytes(long totalLimit) => Limit?.Bytes ?? totalLimit;

    public long MarginBytes(long limit) => Margin?.Bytes ?? KernelQuotaSizing.DefaultMargin(limit);

    /// <summary>
    /// Reads the quota keys of one <c>actions.rules[i]</c> item. The caller reads <c>at</c> and <c>do</c> from the
    /// same reader and reports its unknown keys afterwards.
    /// </summary>
    internal static QuotaOptions Read(SectionReader rule)
    {
        var allowed = AllowedTrafficSection.Read(rule);
        var limit = rule.Size("limit");
        var margin = rule.Size("margin");
        if (limit is { Bytes: 0 })
        {
            rule.Problem("limit", "is zero, which stops all traffic at once: give the size where the kernel stops it, or remove the key for thresholds.total_limit");
        }

        if (margin is { } m && limit is { } l && m.Bytes >= l.Bytes)
        {
            rule.Problem("margin", "is as large as the limit: the margin is what the kernel keeps in hand below it, e.g. \"10 MB\"");
        }

        return new QuotaOptions(allowed, limit, margin);
    }
}

/// <summary>What a refresh found and did, for the log and for tests.</summary>
/// <param name="Predicted">Where the interface counters end when the kernel quota runs out.</param>
public sealed record QuotaRefresh(long Counted, long KernelUsed, long Allowance, double Ratio, long Predicted, bool Recreated, string? Error = null);

/// <summary>
/// A kernel-enforced quota: the kernel itself drops traffic past the bytes left, with no polling lag, in a table of
/// its own (<c>table inet traffic_monitor_quota</c>). SSH, DHCP, DNS, neighbour discovery and the monitor's own
/// traffic stay outside it, as with <c>block</c>. The interface counters stay the truth: the quota is sized from
/// them and, at each <see cref="RefreshAsync"/> (the enforcer calls it at every fast check while the step holds),
/// re-created when it would stop too far from the limit either way.
/// </summary>
/// <remarks>
/// nft honours a quota's <c>used</c> only when the object is created (re-adding it keeps the live counter), so a
/// refresh deletes and re-creates the whole table in one transaction. Calls are made one at a time, by the enforcer.
/// </remarks>
/// <param name="limitBytes">Where traffic stops: <see cref="QuotaOptions.LimitBytes"/> of <c>thresholds.total_limit</c>.</param>
/// <param name="units">How sizes read in messages: <c>thresholds.total_limit</c>'s units (default: those of <c>limit</c>, else GiB).</param>
/// <param name="countedBytes">
/// A fresh reading of the period's counted bytes (the ledger plus the interface counters now), in the units of the
/// limit: read right after the kernel's counter, so both describe nearly the same moment.
/// </param>
public sealed class QuotaStep(
    EnforcementStep plan,
    QuotaOptions options,
    long limitBytes,
    QuotaDirections directions,
    Func<long> countedBytes,
    Nft nft,
    ProcessCredentials own,
    TimeProvider timeProvider,
    SizeUnits? units = null) : IEnforcementStep, IVerifiableStep
{
    public const string Kind = "quota";
    public const string Table = "traffic_monitor_quota";
    public const string QuotaName = "remaining";

    /// <summary>A step of the ratio's sample counts when the readings around it are within 1/50 (2%) of what it moved.</summary>
    private const long TightReading = 50;

    /// <summary>Before a load has been timed: how long one <c>nft -f -</c> takes to commit.</summary>
    private static readonly TimeSpan FirstLoadGuess = TimeSpan.FromMilliseconds(10);

    private readonly long _margin = options.MarginBytes(limitBytes);
    private double _ratio = KernelQuotaSizing.InitialRatio;
    private long _allowance;
    private long _sampledInterfaceBytes;
    private long _sampledKernelBytes;
    private int _generation;
    private Sample? _previous;
    private long _lastCounted;
    private long _lastAt;
    private TimeSpan _loadTime = FirstLoadGuess;

    public string Id => plan.Id;

    public bool Enabled => true;

    public EnforcementStep Plan => plan with { Revertible = true };

    public long LimitBytes => limitBytes;

    public long MarginBytes => _margin;

    public string Description =>
        $"the kernel stops all traffic but SSH (port {string.Join(", ", options.Allowed.SshPorts)}), DHCP, DNS and the monitor's own at {Size(limitBytes)}";

    public IReadOnlyList<string> Command => nft.Command("-f", "-");

    /// <summary>The whole transaction <c>nft -f -</c> loads for a quota of <paramref name="allowance"/> bytes. Pure.</summary>
    public static string Build(AllowedTraffic allowed, ProcessCredentials own, long allowance, QuotaDirections directions)
    {
        allowed = allowed.For(own);
        var drop = $"quota name \"{QuotaName}\" drop";
        List<string> body =
        [
            string.Create(CultureInfo.InvariantCulture, $"quota {QuotaName} {{ over {allowance} bytes; }}"),
        ];
        if (directions.HasFlag(QuotaDirections.Inbound))
        {
            body.AddRange(["", .. NftRuleset.BaseChain("input", allowed.InputRules(), drop)]);
        }

        if (directions.HasFlag(QuotaDirections.Outbound))
        {
            body.AddRange(["", .. NftRuleset.BaseChain("output", allowed.OutputRules(), drop)]);
        }

        // Forwarded traffic (containers, VMs) leaves and enters through the counted interfaces too.
        body.AddRange(["", .. NftRuleset.BaseChain("forward", allowed.ForwardRules(), drop)]);
        return NftRuleset.Replace(Table, "traffic-monitor: kernel quota; traffic-monitor revert-all removes it", body);
    }

    /// <summary>Installs the quota for the bytes left now: at the step's point, at start, and after a reboot.</summary>
    public async Task<StepResult> ApplyAsync(CancellationToken cancellationToken)
    {
        long counted;
        try
        {
            counted = countedBytes();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            return new StepResult(false, $"cannot read the usage to size the kernel quota: {e.Message}");
        }

        var allowance = KernelQuotaSizing.Allowance(limitBytes, _margin, counted, _ratio, 0);
        var result = await LoadAsync(allowance, cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            _allowance = allowance;
            _lastCounted = counted;
            _lastAt = timeProvider.GetTimestamp();
        }

        return result;
    }

    /// <summary>Deletes the table, and only it; succeeds when it is already gone.</summary>
    public Task<StepResult> RevertAsync(CancellationToken cancellationToken) => nft.LoadAsync(NftRuleset.Delete(Table), cancellationToken);

    // The ladder's side of the step (IEnforcementStep): what it is told does not change what it installs.
    string IEnforcementStep.Kind => Kind;

    Task<StepResult> IEnforcementStep.ApplyAsync(StepContext context, CancellationToken cancellationToken) => ApplyAsync(cancellationToken);

    Task<StepResult> IEnforcementStep.RevertAsync(StepContext context, CancellationToken cancellationToken) => RevertAsync(cancellationToken);

    /// <summary>While in force, at every check: the table is still there (a firewall reload removes it), else it is put back.</summary>
    Task<StepResult> IEnforcementStep.EnsureAsync(StepContext context, CancellationToken cancellationToken) => this.EnsureAsync(cancellationToken);

    public async Task<StepVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        string? json;
        try
        {
            json = await nft.ListQuotaJsonAsync(NftRuleset.Family, Table, QuotaName, cancellationToken).ConfigureAwait(false);
        }
        catch (NftException e)
        {
            return new StepVerification(VerifyStatus.Failed, $"cannot read the kernel quota: {e.Message}");
        }

        if (json is not null)
        {
            return StepVerification.Intact;
        }

        var result = await ApplyAsync(cancellationToken).ConfigureAwait(false);
        return result.Succeeded
            ? new StepVerification(VerifyStatus.Repaired, $"the kernel quota (table {NftRuleset.Family} {Table}) was gone (a firewall reload or 'nft flush ruleset' removes it): re-created for the {Size(Math.Max(0, limitBytes - _lastCounted))} left")
            : new StepVerification(VerifyStatus.Failed, $"the kernel quota (table {NftRuleset.Family} {Table}) was gone, and re-creating it failed: {result.Error}");
    }

    /// <summary>
    /// Compares the kernel's counter with the interface counters and re-creates the quota when it would stop more
    /// than half the margin away from the target (the limit less the margin). Re-creates it when it is gone.
    /// </summary>
    public async Task<QuotaRefresh> RefreshAsync(CancellationToken cancellationToken)
    {
        long over, used, before, counted;
        try
        {
            before = countedBytes();
            var json = await nft.ListQuotaJsonAsync(NftRuleset.Family, Table, QuotaName, cancellationToken).ConfigureAwait(false);
            if (json is null)
            {
                var verification = await VerifyAsync(cancellationToken).ConfigureAwait(false);
                return new QuotaRefresh(_lastCounted, 0, _allowance, _ratio, 0, verification.Status == VerifyStatus.Repaired, verification.Status == VerifyStatus.Failed ? verification.Detail : null);
            }

            (over, used) = KernelQuotaSizing.ParseQuotaJson(json);
            // The kernel's counter was read somewhere between the two readings. The later one goes into the
            // prediction (bytes it has and the kernel's lacks make it err short); the middle one into the ratio.
            counted = countedBytes();
        }
        catch (Exception e) when (e is NftException or FormatException or JsonException or KeyNotFoundException or InvalidOperationException or IOException)
        {
            return new QuotaRefresh(0, 0, _allowance, _ratio, 0, false, e.Message);
        }

        var now = timeProvider.GetTimestamp();
        _allowance = over;
        Measure(new Sample((before + counted) / 2, counted - before, used, _generation), over);

        var predicted = KernelQuotaSizing.Predicted(counted, over, used, _ratio);
        var elapsed = timeProvider.GetElapsedTime(_lastAt, now);
        var rate = elapsed > TimeSpan.Zero ? Math.Max(0, counted - _lastCounted) / elapsed.TotalSeconds : 0;
        _lastCounted = counted;
        _lastAt = now;
        if (!KernelQuotaSizing.NeedsRefresh(predicted, limitBytes, _margin))
        {
            return new QuotaRefresh(counted, used, over, _ratio, predicted, false);
        }

        // What moves between the reading above and the commit is neither in the reading nor counted by the new
        // quota: leave room for it, at the rate just seen and the time the last load took.
        var inFlight = (long)(rate * (elapsed > TimeSpan.Zero ? _loadTime.TotalSeconds * 1.5 : 0));
        var allowance = KernelQuotaSizing.Allowance(limitBytes, _margin, counted, _ratio, inFlight);
        if (allowance == 0 && used >= over)
        {
            // Past the target with the quota spent: a new empty quota would drop nothing more.
            return new QuotaRefresh(counted, used, over, _ratio, predicted, false);
        }

        var result = await LoadAsync(allowance, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return new QuotaRefresh(counted, used, over, _ratio, predicted, false, result.Error);
        }

        _allowance = allowance;
        return new QuotaRefresh(counted, used, allowance, _ratio, KernelQuotaSizing.Predicted(counted + inFlight, allowance, 0, _ratio), true);
    }

    private string Size(long bytes) => ByteSize.Format(bytes, units ?? options.Limit?.DisplayUnits ?? SizeUnits.Gibibytes);

    /// <summary>
    /// Adds what moved since the previous reading of the same quota object to the ratio's sample. Only steps whose
    /// readings were tight (the interfaces moved little while nft read the kernel's counter, against what moved
    /// between them) count: on a busy machine nft can take long enough to skew the ratio by tens of percent.
    /// </summary>
    private void Measure(Sample sample, long over)
    {
        // Past the allowance the counter still grows with the packets it drops, which never reach an interface.
        if (_previous is { } previous && previous.Generation == sample.Generation && sample.KernelUsed <= over)
        {
            var interfaceBytes = sample.Interface - previous.Interface;
            var kernelBytes = sample.KernelUsed - previous.KernelUsed;
            if (kernelBytes > 0 && (sample.Spread + previous.Spread) / 2 <= interfaceBytes / TightReading)
            {
                _sampledInterfaceBytes += interfaceBytes;
                _sampledKernelBytes += kernelBytes;
                _ratio = KernelQuotaSizing.Ratio(_sampledInterfaceBytes, _sampledKernelBytes, _ratio);
            }
        }

        _previous = sample;
    }

    /// <param name="Interface">The interfaces' count when the kernel's was read (the middle of two readings).</param>
    /// <param name="Spread">How far apart the two readings were: the uncertainty of <paramref name="Interface"/>.</param>
    private readonly record struct Sample(long Interface, long Spread, long KernelUsed, int Generation);

    private async Task<StepResult> LoadAsync(long allowance, CancellationToken cancellationToken)
    {
        // A new quota object counts from zero: samples of the old one are not compared with it.
        _generation++;
        _previous = null;
        var started = timeProvider.GetTimestamp();
        var result = await nft.LoadAsync(Build(options.Allowed, own, allowance, directions), cancellationToken).ConfigureAwait(false);
        _loadTime = timeProvider.GetElapsedTime(started);
        return result;
    }
}
