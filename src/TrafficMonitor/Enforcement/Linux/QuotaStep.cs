using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TrafficMonitor.Configuration;
using TrafficMonitor.Configuration.Sections;
using TrafficMonitor.Configuration.Yaml;
using TrafficMonitor.Hosting;
using TrafficMonitor.Quota;
using TrafficMonitor.Usage;

namespace TrafficMonitor.Enforcement.Linux;

/// <summary>Which hooks the kernel quota counts, from <c>monitor.count</c>: rx counts inbound, tx outbound, total and max both.</summary>
[Flags]
public enum QuotaDirections
{
    Inbound = 1,
    Outbound = 2,
    Both = Inbound | Outbound,
}

/// <summary>The options of a <c>do: quota</c> rule. The rule's <c>at</c> is where the kernel stops traffic.</summary>
/// <param name="ArmAt">When the kernel quota is installed (<c>arm_at</c>, as written: "95%" or "1.9 TiB"); null: <see cref="DefaultLead"/> before <c>at</c>.</param>
/// <param name="Margin">How far before <c>at</c> the kernel aims to stop (<c>margin</c>); null: <see cref="KernelQuotaSizing.DefaultMargin"/>.</param>
public sealed record QuotaOptions(AllowedTraffic Allowed, string? ArmAt = null, ByteSize? Margin = null) : IStepOptions
{
    public const string ArmAtKey = "arm_at";
    public const string MarginKey = "margin";

    public static QuotaOptions Default { get; } = new(AllowedTraffic.Default);

    public bool Revertible => true;

    public long MarginBytes(long limit) => Margin?.Bytes ?? KernelQuotaSizing.DefaultMargin(limit);

    /// <summary>
    /// The lead when <c>arm_at</c> is not set: 1% of <c>total_limit</c>, at least 1 GiB (over a second of traffic at
    /// 10 Gbit/s: many fast checks), so the kernel holds the quota well before traffic reaches <c>at</c>.
    /// </summary>
    public static long DefaultLead(long totalLimit) => Math.Max(totalLimit / 100, 1L << 30);

    /// <summary>
    /// Where the step is armed (the kernel quota installed) for a rule that stops traffic at <paramref name="atBytes"/>;
    /// 0 (from the first check of the period) when the default lead is larger than <paramref name="atBytes"/>.
    /// </summary>
    public long StartsAt(long atBytes, ThresholdsOptions thresholds) =>
        ArmAt is { } armAt && RulesSection.TryPoint(armAt, thresholds, out var armed)
            ? Math.Min(armed, Math.Max(0, atBytes - 1))
            : Math.Max(0, atBytes - DefaultLead(thresholds.TotalLimit.Bytes));

    public IEnumerable<KeyValuePair<string, string>> Describe()
    {
        yield return new(ArmAtKey, ArmAt ?? "(1% of total_limit, at least 1 GiB, before at)");
        yield return new(MarginKey, Margin?.ToString() ?? "(0.25% of at, at least 2 MiB, at most 1 GiB)");
        foreach (var line in AllowedTrafficSection.Describe(Allowed))
        {
            yield return line;
        }
    }

    /// <summary>
    /// Reads the quota keys of one <c>actions.rules[i]</c> item; null when they are unusable (the problems say why).
    /// The caller reads <c>at</c> and <c>do</c> from the same reader and reports its unknown keys afterwards.
    /// </summary>
    internal static QuotaOptions? Read(SectionReader rule, StepReadContext context)
    {
        var problems = rule.ProblemCount;
        var allowed = AllowedTrafficSection.Read(rule);
        var armText = rule.String(ArmAtKey);
        var armAt = armText is null ? null : RulesSection.ReadPoint(rule, ArmAtKey, armText, context.Thresholds);
        var margin = rule.Size(MarginKey);
        var atText = rule.String("at");
        long? at = atText is not null && context.Thresholds is { } thresholds && RulesSection.TryPoint(atText, thresholds, out var point) ? point : null;
        if (armAt is { } armed && at is { } stop && armed >= stop)
        {
            rule.Problem(ArmAtKey, $"{Quoted.Value(armText!)} is not before at ({atText!.Trim()}): at is where the kernel stops traffic, arm_at where its quota is installed ahead of it, e.g. arm_at: \"95%\" with at: \"100%\"");
        }

        if (margin is { } m && at is { } limit && m.Bytes >= limit)
        {
            rule.Problem(MarginKey, $"{Quoted.Value(m.ToString())} is as large as at ({atText!.Trim()}): the margin is what the kernel keeps in hand below at, e.g. \"10 MB\"");
        }

        return rule.ProblemCount > problems ? null : new QuotaOptions(allowed, armText?.Trim(), margin);
    }
}

/// <summary>What a refresh found and did, for the log and for tests.</summary>
/// <param name="Predicted">Where the interface counters end when the kernel quota runs out, as the quota stands after the refresh.</param>
/// <param name="Resized">The quota's allowance was changed in place while traffic flowed (the kernel's counter goes on).</param>
/// <param name="Recreated">The quota was created anew: it was spent short of the target (the rest let through), or gone.</param>
/// <param name="Repaired">Set when the table was gone (a firewall reload) and was put back: what was done.</param>
public sealed record QuotaRefresh(long Counted, long KernelUsed, long Allowance, double Ratio, long Predicted, bool Recreated, string? Error = null)
{
    public bool Resized { get; init; }

    public string? Repaired { get; init; }
}

/// <summary>
/// A kernel-enforced quota: the kernel itself drops traffic past the bytes left, with no polling lag, in a table of
/// its own (<c>table inet traffic_monitor_quota</c>). SSH, DHCP, DNS, neighbour discovery and the monitor's own
/// traffic stay outside it, as with <c>block</c>. The interface counters stay the truth: the quota is sized from
/// them and, at each <see cref="RefreshAsync"/> (at every check while the step holds, fast near the limit), aimed
/// again at the target (the limit less the margin) from the bytes left.
/// </summary>
/// <remarks>
/// <para>
/// Resizing while traffic flows changes the quota object's <c>over</c> in place (<c>add quota</c> on an existing
/// object keeps its counter): what moves while nft commits is still counted, so a slow commit on a starved CPU
/// cannot let traffic slip past the quota (deleting and re-creating the table, as nft needs to honour a new
/// <c>used</c>, loses those bytes: 135 MB past a 1 GB limit in one run under load).
/// </para>
/// <para>
/// Every allowance errs short (<see cref="KernelQuotaSizing.Safety"/>). Once the kernel has stopped the traffic,
/// nothing moves while nft commits, so the table is re-created with a fresh quota for the rest when it stopped more
/// than <see cref="KernelQuotaSizing.Tolerance"/> short: each round stops closer, from below. (The kernel's counter
/// also counts the packets it drops, so raising a spent quota in place would let through less than it says.)
/// </para>
/// Calls are made one at a time, by the enforcer.
/// </remarks>
/// <param name="limitBytes">Where traffic stops: the rule's <c>at</c>.</param>
/// <param name="units">How sizes read in messages: <c>thresholds.total_limit</c>'s units (default GiB).</param>
/// <param name="countedBytes">
/// A fresh reading of the period's counted bytes (the ledger plus the interface counters now), in the units of the
/// limit: read around the kernel's counter, so both describe nearly the same moment.
/// </param>
public sealed partial class QuotaStep(
    EnforcementStep plan,
    QuotaOptions options,
    long limitBytes,
    QuotaDirections directions,
    Func<long> countedBytes,
    Nft nft,
    ProcessCredentials own,
    SizeUnits? units = null,
    ILogger? logger = null) : NftStep(plan, nft, TableName)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public const string KindName = "quota";
    public const string TableName = "traffic_monitor_quota";
    public const string QuotaName = "remaining";

    /// <summary>A step of the ratio's sample counts when the readings around it are within 1/50 (2%) of what it moved.</summary>
    private const long TightReading = 50;

    /// <summary>Older samples weigh this much less at each new one, so the ratio follows a load that changes it.</summary>
    private const double SampleDecay = 0.75;

    private readonly long _margin = options.MarginBytes(limitBytes);
    private double _ratio = KernelQuotaSizing.InitialRatio;
    private long _allowance;
    private double _sampledInterfaceBytes;
    private double _sampledKernelBytes;
    private int _generation;
    private Sample? _previous;
    private long _lastCounted;

    public override string Kind => KindName;

    public long LimitBytes => limitBytes;

    public long MarginBytes => _margin;

    /// <summary>Where the kernel stops traffic: the rule's <c>at</c>.</summary>
    public override long? StopsAtBytes => limitBytes;

    public override string Description =>
        $"the kernel stops all traffic but SSH (port {string.Join(", ", options.Allowed.SshPorts)}), DHCP, DNS and the monitor's own at {Size(limitBytes)}";

    /// <summary>Armed at <see cref="QuotaOptions.StartsAt"/>; stops traffic at the rule's <c>at</c>.</summary>
    internal static IEnforcementStep Create(RuleOptions rule, IServiceProvider services)
    {
        var options = (QuotaOptions)rule.Options;
        var thresholds = services.GetRequiredService<ThresholdsOptions>();
        var monitor = services.GetRequiredService<MonitorOptions>();
        var usage = services.GetRequiredService<IUsageSource>();
        var time = services.GetRequiredService<TimeProvider>();
        var directions = monitor.Count switch
        {
            CountMode.Rx => QuotaDirections.Inbound,
            CountMode.Tx => QuotaDirections.Outbound,
            _ => QuotaDirections.Both,
        };

        // The same reading the checks decide on (ledger, calibration), fresh: what the quota is sized from.
        long Counted()
        {
            try
            {
                var period = CheckTime.From(time).Period(monitor.ResetDay);
                return usage.ReadAsync(period, CancellationToken.None).GetAwaiter().GetResult().Counted(monitor.Count);
            }
            catch (UsageUnavailableException e)
            {
                throw new InvalidOperationException(e.Message, e);
            }
        }

        return new QuotaStep(
            NftSteps.Plan(rule.Id, options.StartsAt(rule.AtBytes, thresholds)), options, rule.AtBytes, directions, Counted, NftSteps.Nft(services),
            ProcessCredentials.Current(), thresholds.Units, services.GetRequiredService<ILogger<QuotaStep>>());
    }

    /// <summary>The whole transaction <c>nft -f -</c> loads for a new quota of <paramref name="allowance"/> bytes. Pure.</summary>
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
        return NftRuleset.Replace(TableName, "traffic-monitor: kernel quota; traffic-monitor revert-all removes it", body);
    }

    /// <summary>Changes the quota's allowance in place: its counter (and what it counts while nft commits) goes on. Pure.</summary>
    public static string Resize(long over) =>
        string.Create(CultureInfo.InvariantCulture, $"add quota {NftRuleset.Family} {TableName} {QuotaName} {{ over {over} bytes; }}\n");

    /// <summary>Installs the quota for the bytes left now: when armed, at start, and after a reboot.</summary>
    public override async Task<StepResult> ApplyAsync(CancellationToken cancellationToken)
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

        var allowance = KernelQuotaSizing.Allowance(limitBytes, _margin, counted, _ratio);
        var result = await CreateAsync(allowance, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return result;
        }

        _lastCounted = counted;
        // What moved while nft created the table is in no quota: aimed again at once, in place, from a fresh reading.
        // A failure here leaves the quota as sized above, which the next check resizes.
        await RefreshAsync(justCreated: true, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>While in force, at every check: <see cref="RefreshAsync"/>, which also puts a removed table back.</summary>
    public override async Task<StepResult> EnsureAsync(StepContext context, CancellationToken cancellationToken)
    {
        var refresh = await RefreshAsync(cancellationToken).ConfigureAwait(false);
        return refresh.Error is { } error ? StepResult.Failure(error) : new StepResult(true, null, refresh.Repaired);
    }

    public override async Task<StepVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        string? json;
        try
        {
            json = await Nft.ListQuotaJsonAsync(NftRuleset.Family, TableName, QuotaName, cancellationToken).ConfigureAwait(false);
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
            ? new StepVerification(VerifyStatus.Repaired, $"the kernel quota (table {NftRuleset.Family} {TableName}) was gone (a firewall reload or 'nft flush ruleset' removes it): re-created for the {Size(Math.Max(0, limitBytes - _lastCounted))} left")
            : new StepVerification(VerifyStatus.Failed, $"the kernel quota (table {NftRuleset.Family} {TableName}) was gone, and re-creating it failed: {result.Error}");
    }

    /// <summary>
    /// Compares the kernel's counter with the interface counters and aims the quota at the target again: resized in
    /// place while traffic flows, re-created for the rest when it stopped the traffic short. Re-creates it when it is gone.
    /// </summary>
    public Task<QuotaRefresh> RefreshAsync(CancellationToken cancellationToken) => RefreshAsync(justCreated: false, cancellationToken);

    /// <param name="justCreated">Right after the table was created: only resized in place, never created again from here.</param>
    private async Task<QuotaRefresh> RefreshAsync(bool justCreated, CancellationToken cancellationToken)
    {
        long over, used, before, counted;
        try
        {
            before = countedBytes();
            var json = await Nft.ListQuotaJsonAsync(NftRuleset.Family, TableName, QuotaName, cancellationToken).ConfigureAwait(false);
            if (json is null && justCreated)
            {
                return new QuotaRefresh(before, 0, _allowance, _ratio, 0, false, "the kernel quota was gone right after it was created");
            }

            if (json is null)
            {
                var verification = await VerifyAsync(cancellationToken).ConfigureAwait(false);
                return new QuotaRefresh(_lastCounted, 0, _allowance, _ratio, 0, verification.Status == VerifyStatus.Repaired, verification.Status == VerifyStatus.Failed ? verification.Detail : null)
                {
                    Repaired = verification.Status == VerifyStatus.Repaired ? verification.Detail : null,
                };
            }

            (over, used) = KernelQuotaSizing.ParseQuotaJson(json);
            // The kernel's counter was read between the two readings. The later one sizes the allowance (bytes it has
            // and the kernel's lacks make it err short); the middle one goes into the ratio.
            counted = countedBytes();
        }
        catch (Exception e) when (e is NftException or FormatException or JsonException or KeyNotFoundException or InvalidOperationException or IOException)
        {
            return new QuotaRefresh(0, 0, _allowance, _ratio, 0, false, e.Message);
        }

        _lastCounted = counted;
        _allowance = over;
        // nft shows a spent quota's counter capped at its allowance (it also counts the packets it drops).
        var spent = used >= over;
        if (!spent)
        {
            Measure(new Sample((before + counted) / 2, counted - before, used, _generation));
        }

        var target = limitBytes - _margin;
        if (spent && justCreated)
        {
            return new QuotaRefresh(counted, used, over, _ratio, counted, false);
        }

        if (spent)
        {
            if (target - counted <= KernelQuotaSizing.Tolerance(_margin))
            {
                return new QuotaRefresh(counted, used, over, _ratio, counted, false);
            }

            // Stopped short: nothing moves while nft commits, so a fresh quota for the rest is exact but for the ratio.
            var rest = KernelQuotaSizing.Allowance(limitBytes, _margin, counted, _ratio);
            var created = await CreateAsync(rest, cancellationToken).ConfigureAwait(false);
            if (created.Succeeded)
            {
                LogRecreated(_logger, Id, counted, target - counted, rest, _ratio);
            }

            return created.Succeeded
                ? new QuotaRefresh(counted, 0, rest, _ratio, KernelQuotaSizing.Predicted(counted, rest, 0, _ratio), true)
                : new QuotaRefresh(counted, used, over, _ratio, counted, false, created.Error);
        }

        var wanted = used + KernelQuotaSizing.Allowance(limitBytes, _margin, counted, _ratio);
        var predicted = KernelQuotaSizing.Predicted(counted, over, used, _ratio);
        // Resizing costs an nft process; a change worth less than a tenth of the tolerance is left for the next round.
        if (Math.Abs(wanted - over) * _ratio <= KernelQuotaSizing.Tolerance(_margin) / 10)
        {
            return new QuotaRefresh(counted, used, over, _ratio, predicted, false);
        }

        var resized = await Nft.LoadAsync(Resize(wanted), cancellationToken).ConfigureAwait(false);
        if (!resized.Succeeded)
        {
            return new QuotaRefresh(counted, used, over, _ratio, predicted, false, resized.Error);
        }

        _allowance = wanted;
        LogResized(_logger, Id, counted, used, over, wanted, _ratio);
        return new QuotaRefresh(counted, used, wanted, _ratio, KernelQuotaSizing.Predicted(counted, wanted, used, _ratio), false) { Resized = true };
    }

    [LoggerMessage(EventId = LogEvents.KernelQuotaResized, Level = LogLevel.Debug,
        Message = "{Step}: {Counted} bytes counted, the kernel quota has counted {Used}: its allowance is now {Wanted} bytes (was {Over}; interface bytes per kernel byte {Ratio:F4})")]
    private static partial void LogResized(ILogger logger, string step, long counted, long used, long over, long wanted, double ratio);

    [LoggerMessage(EventId = LogEvents.KernelQuotaRecreated, Level = LogLevel.Debug,
        Message = "{Step}: the kernel stopped traffic at {Counted} bytes counted, {Short} short of the target: a fresh quota of {Allowance} bytes lets the rest through (interface bytes per kernel byte {Ratio:F4})")]
    private static partial void LogRecreated(ILogger logger, string step, long counted, long @short, long allowance, double ratio);

    private string Size(long bytes) => ByteSize.Format(bytes, units ?? SizeUnits.Gibibytes);

    /// <summary>
    /// Adds what moved since the previous reading of the same quota object to the ratio's sample, older samples
    /// weighing less. Only steps whose readings were tight (the interfaces moved little while nft read the kernel's
    /// counter, against what moved between them) count: on a busy machine nft can take long enough to skew the ratio
    /// by tens of percent.
    /// </summary>
    private void Measure(Sample sample)
    {
        if (_previous is { } previous && previous.Generation == sample.Generation)
        {
            var interfaceBytes = sample.Interface - previous.Interface;
            var kernelBytes = sample.KernelUsed - previous.KernelUsed;
            if (kernelBytes > 0 && (sample.Spread + previous.Spread) / 2 <= interfaceBytes / TightReading)
            {
                var decay = _sampledKernelBytes >= KernelQuotaSizing.MinSampleBytes ? SampleDecay : 1;
                _sampledInterfaceBytes = (_sampledInterfaceBytes * decay) + interfaceBytes;
                _sampledKernelBytes = (_sampledKernelBytes * decay) + kernelBytes;
                _ratio = KernelQuotaSizing.Ratio((long)_sampledInterfaceBytes, (long)_sampledKernelBytes, _ratio);
            }
        }

        _previous = sample;
    }

    /// <param name="Interface">The interfaces' count when the kernel's was read (the middle of two readings).</param>
    /// <param name="Spread">How far apart the two readings were: the uncertainty of <paramref name="Interface"/>.</param>
    private readonly record struct Sample(long Interface, long Spread, long KernelUsed, int Generation);

    private async Task<StepResult> CreateAsync(long allowance, CancellationToken cancellationToken)
    {
        // A new quota object counts from zero: samples of the old one are not compared with it.
        _generation++;
        _previous = null;
        var result = await Nft.LoadAsync(Build(options.Allowed, own, allowance, directions), cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            _allowance = allowance;
        }

        return result;
    }
}
