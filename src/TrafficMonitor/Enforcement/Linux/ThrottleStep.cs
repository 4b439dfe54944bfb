using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TrafficMonitor.Configuration;
using TrafficMonitor.Hosting;
using TrafficMonitor.Platform;
using TrafficMonitor.Quota;
using TrafficMonitor.State;
using TrafficMonitor.Usage;
using TrafficMonitor.Usage.SystemCounters;

namespace TrafficMonitor.Enforcement.Linux;

/// <summary>
/// Holds the counted interfaces to a rate in both directions with tc: egress by an HTB root qdisc on each interface,
/// ingress by redirecting what arrives to an ifb device of ours with the same HTB (see <see cref="ThrottleQdiscs"/>).
/// SSH keeps the line rate unless <c>keep_ssh: false</c>.
/// </summary>
/// <remarks>
/// The root qdisc it replaces (an admin's tbf or fq_codel, or the kernel's default) is remembered per interface, kept
/// in the step's record (<see cref="UndoRecord"/>) and put back as it was when the throttle is undone; a root qdisc it
/// could not put back exactly is never replaced. It deletes only what carries its own marks: the handle
/// <see cref="ThrottleQdiscs.Handle"/>, the ingress filter at <see cref="ThrottleQdiscs.IngressPref"/> that redirects
/// to its ifb, and an ifb named and aliased by it. Calls are made one at a time, by the enforcer.
/// </remarks>
/// <param name="interfaces">The interfaces to throttle: <c>monitor.interfaces</c>, else the physical ones usage counts; read when the step is applied.</param>
public sealed partial class ThrottleStep(
    string id, long atBytes, ThrottleStepOptions options, Func<IReadOnlyList<string>> interfaces, Tc tc, ILogger logger) : IEnforcementStep, IVerifiableStep, IRecordedStep
{
    /// <summary>What the throttle holds now, by interface: filled at apply or from the record, emptied at revert.</summary>
    private readonly Dictionary<string, ThrottledInterface> _held = new(StringComparer.Ordinal);

    public string Id => id;

    public string Kind => ThrottleStepOptions.Kind;

    public bool Enabled => true;

    public EnforcementStep Plan => new(id, atBytes, TimeSpan.Zero, Revertible: true);

    /// <summary>"eth0 is throttled to 10 Mbit/s both ways, SSH (port 22) unthrottled".</summary>
    public string Description
    {
        get
        {
            var names = _held.Count > 0 ? string.Join(", ", _held.Keys) : null;
            var which = names is null ? "the counted interfaces are" : _held.Count == 1 ? $"{names} is" : $"{names} are";
            var ssh = options.KeepSsh ? $", SSH (port {string.Join(", ", options.SshPorts)}) unthrottled" : ", SSH included";
            return $"{which} throttled to {options.Rate} both ways{ssh}";
        }
    }

    public IReadOnlyList<string> Command => tc.Command("-batch", "-");

    /// <summary>One line per interface held (<see cref="ThrottledInterface.Format"/>): what undoes the throttle from the record alone.</summary>
    public IReadOnlyList<string> UndoRecord => _held.Values.Select(i => i.Format()).ToList();

    internal static IEnforcementStep Create(RuleOptions rule, IServiceProvider services)
    {
        var monitor = services.GetRequiredService<MonitorOptions>();
        var platform = services.GetRequiredService<HostPlatform>();
        return new ThrottleStep(
            rule.Id, rule.AtBytes, (ThrottleStepOptions)rule.Options,
            () => monitor.Interfaces.Count > 0
                ? monitor.Interfaces
                : InterfaceSelection.Select(
                    services.GetRequiredService<IInterfaceCounters>().Read().Interfaces.Select(i => i.Name).ToList(), [], "the kernel's interface list", platform),
            new Tc(services.GetRequiredService<IProcessRunner>()),
            services.GetService<ILogger<ThrottleStep>>() ?? (ILogger)NullLogger.Instance);
    }

    /// <summary>A removed rule's step: it can only be undone, from the interfaces and previous qdiscs its record kept.</summary>
    internal static IEnforcementStep ForRecord(string id, StepRecord record, IServiceProvider services)
    {
        var step = new ThrottleStep(
            id, long.MaxValue, new ThrottleStepOptions(new ThrottleRate(ThrottleRate.Minimum), KeepSsh: true, [AllowedTraffic.DefaultSshPort]), () => [],
            new Tc(services.GetRequiredService<IProcessRunner>()),
            services.GetService<ILogger<ThrottleStep>>() ?? (ILogger)NullLogger.Instance);
        step.Recall(record.Undo ?? []);
        return step;
    }

    /// <summary>Takes back what the record says the throttle holds, for the interfaces this process has not applied it to itself.</summary>
    public void Recall(IReadOnlyList<string> undoRecord)
    {
        foreach (var line in undoRecord)
        {
            if (ThrottledInterface.Parse(line) is { } held)
            {
                _held.TryAdd(held.Name, held);
            }
        }
    }

    Task<StepResult> IEnforcementStep.ApplyAsync(StepContext context, CancellationToken cancellationToken) => ApplyAsync(cancellationToken);

    Task<StepResult> IEnforcementStep.RevertAsync(StepContext context, CancellationToken cancellationToken) => RevertAsync(cancellationToken);

    /// <summary>While in force, at every check: every interface is still throttled as set, else it is put back.</summary>
    Task<StepResult> IEnforcementStep.EnsureAsync(StepContext context, CancellationToken cancellationToken) => this.EnsureAsync(cancellationToken);

    /// <summary>
    /// Throttles every interface; applying again replaces the setup with one from the current settings. The root
    /// qdisc found is what is put back later, unless it is ours already (then what was remembered is kept).
    /// </summary>
    public async Task<StepResult> ApplyAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<string> names;
        try
        {
            names = interfaces();
        }
        catch (Exception e) when (e is UsageUnavailableException or IOException or UnauthorizedAccessException)
        {
            return StepResult.Failure($"cannot tell which interfaces to throttle: {e.Message}");
        }

        var heldBefore = _held.Keys.ToHashSet(StringComparer.Ordinal);
        var errors = new List<string>();
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            var result = await ApplyAsync(name, keepRemembered: false, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                errors.Add(result.Error!);
            }
        }

        if (errors.Count == 0)
        {
            return StepResult.Success;
        }

        // All or nothing, as the enforcer counts a failed apply as no apply: what this call throttled is undone again.
        foreach (var held in _held.Values.Where(h => !heldBefore.Contains(h.Name)).ToList())
        {
            if ((await RevertAsync(held, cancellationToken).ConfigureAwait(false)).Succeeded)
            {
                _held.Remove(held.Name);
            }
        }

        return StepResult.Failure(string.Join("; ", errors));
    }

    /// <summary>Undoes the throttle on every interface it holds; succeeds when nothing of it is left.</summary>
    public async Task<StepResult> RevertAsync(CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        foreach (var held in _held.Values.ToList())
        {
            var result = await RevertAsync(held, cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                _held.Remove(held.Name);
            }
            else
            {
                errors.Add(result.Error!);
            }
        }

        return errors.Count == 0 ? StepResult.Success : StepResult.Failure(string.Join("; ", errors));
    }

    public async Task<StepVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        var repaired = new List<string>();
        var failed = new List<string>();
        foreach (var held in _held.Values.ToList())
        {
            string? found;
            try
            {
                found = await FindChangeAsync(held, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (IsUnreadable(e))
            {
                failed.Add($"cannot read {held.Name}'s qdiscs: {e.Message}");
                continue;
            }

            if (found is null)
            {
                continue;
            }

            var result = await ApplyAsync(held.Name, keepRemembered: true, cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                LogThrottleRepaired(held.Name, found);
                repaired.Add($"the throttle of {held.Name} {found}: put it back");
            }
            else
            {
                failed.Add($"the throttle of {held.Name} {found}, and putting it back failed: {result.Error}");
            }
        }

        return failed.Count > 0 ? new StepVerification(VerifyStatus.Failed, string.Join("; ", failed.Concat(repaired)))
            : repaired.Count > 0 ? new StepVerification(VerifyStatus.Repaired, string.Join("; ", repaired))
            : StepVerification.Intact;
    }

    /// <summary>What is missing or different on the interface or its ifb, in words; null when all is as installed.</summary>
    private async Task<string?> FindChangeAsync(ThrottledInterface held, CancellationToken cancellationToken)
    {
        var qdiscs = await tc.QdiscsAsync(held.Name, cancellationToken).ConfigureAwait(false);
        if (qdiscs is null)
        {
            return "is gone with the interface";
        }

        var expected = options.Rate.BitsPerSecond;
        foreach (var device in new[] { held.Name, held.Ifb })
        {
            var list = device == held.Name ? qdiscs : await tc.QdiscsAsync(device, cancellationToken).ConfigureAwait(false);
            if (list is null)
            {
                return $"lost its ifb device {device}";
            }

            if (!ThrottleQdiscs.IsOurs(ThrottleQdiscs.ParseQdiscs(list).FirstOrDefault(q => q.Root)))
            {
                return $"was removed ({device}'s root qdisc is not ours)";
            }

            var classes = await tc.ClassesAsync(device, cancellationToken).ConfigureAwait(false) ?? string.Empty;
            // tc prints the rate rounded to 4 digits or so: within 1% is as set.
            if (ThrottleQdiscs.ClassRate(classes, ThrottleQdiscs.ThrottledClass) is not { } rate || Math.Abs(rate - expected) > expected / 100)
            {
                return $"on {device} is not at {options.Rate}";
            }
        }

        var filters = ThrottleQdiscs.ParseIngressFilters(await tc.IngressFiltersAsync(held.Name, cancellationToken).ConfigureAwait(false) ?? string.Empty);
        return filters.Any(f => ThrottleQdiscs.IsOurRedirect(f, held.Ifb))
            ? null
            : $"lost its ingress redirect to {held.Ifb}";
    }

    /// <param name="keepRemembered">Repairing: the previous root qdisc is the one remembered, not what replaced ours since.</param>
    private async Task<StepResult> ApplyAsync(string name, bool keepRemembered, CancellationToken cancellationToken)
    {
        List<Qdisc> qdiscs;
        IReadOnlyList<(int Pref, string? RedirectsTo)> filters;
        bool ifbExists, ifbMine, ifbShaped;
        var ifb = ThrottleQdiscs.IfbName(name);
        try
        {
            var json = await tc.QdiscsAsync(name, cancellationToken).ConfigureAwait(false);
            if (json is null)
            {
                return StepResult.Failure($"there is no interface {name} to throttle: fix monitor.interfaces");
            }

            qdiscs = [.. ThrottleQdiscs.ParseQdiscs(json)];
            filters = ThrottleQdiscs.ParseIngressFilters(await tc.IngressFiltersAsync(name, cancellationToken).ConfigureAwait(false) ?? string.Empty);
            var ifbLink = await tc.LinkAsync(ifb, cancellationToken).ConfigureAwait(false);
            ifbExists = ifbLink is not null;
            ifbMine = ifbLink is not null && ThrottleQdiscs.IsOurIfb(ifbLink, name);
            ifbShaped = ifbLink is not null && ThrottleQdiscs.IsOurs(ThrottleQdiscs.ParseQdiscs(await tc.QdiscsAsync(ifb, cancellationToken).ConfigureAwait(false) ?? string.Empty).FirstOrDefault(q => q.Root));
        }
        catch (Exception e) when (IsUnreadable(e))
        {
            return StepResult.Failure($"cannot read {name}'s qdiscs: {e.Message}");
        }

        var root = qdiscs.FirstOrDefault(q => q.Root);
        var ours = ThrottleQdiscs.IsOurs(root);
        // What is remembered holds while ours is in place (or is being put back); a fresh apply, as after a reboot,
        // reads what is there now.
        var remembered = _held.GetValueOrDefault(name) is { } known && (ours || keepRemembered) ? known : null;
        PreviousRoot previous;
        if (remembered is not null)
        {
            previous = remembered.Previous;
        }
        else if (ours)
        {
            // Ours, with no record of what it replaced (a monitor killed while applying): the kernel's default is all that is known.
            previous = PreviousRoot.KernelDefault;
        }
        else if (ThrottleQdiscs.Previous(name, qdiscs, out var why) is { } found)
        {
            previous = found;
        }
        else
        {
            return StepResult.Failure($"{why}: not throttled. Remove that qdisc, or throttle with a command step of your own");
        }

        if (ifbExists && !ifbMine)
        {
            return StepResult.Failure($"a device named {ifb} exists and is not the throttle's (its alias is not '{ThrottleQdiscs.IfbAlias(name)}'): not throttled. Rename or delete it");
        }

        var ingress = qdiscs.FirstOrDefault(q => q.IsIngress);
        var ourRedirect = filters.Any(f => ThrottleQdiscs.IsOurRedirect(f, ifb));
        if (!ourRedirect && filters.Any(f => f.Pref == ThrottleQdiscs.IngressPref))
        {
            return StepResult.Failure($"{name}'s ingress filter preference {ThrottleQdiscs.IngressPref} is taken by a filter that is not the throttle's: not throttled");
        }

        var held = new ThrottledInterface(name, ifb, ingress is null || (remembered?.OwnIngress ?? false), previous);
        // Remembered before anything changes: a half-done setup is undone from it.
        var wasHeld = !_held.TryAdd(name, held);
        _held[name] = held;
        if (!ifbExists)
        {
            foreach (var command in new[] { new[] { "link", "add", ifb, "type", "ifb" }, ["link", "set", "dev", ifb, "alias", ThrottleQdiscs.IfbAlias(name)] })
            {
                var created = await tc.IpAsync(command, cancellationToken).ConfigureAwait(false);
                if (!created.Succeeded)
                {
                    await ForgetIfNewAsync(held, wasHeld, cancellationToken).ConfigureAwait(false);
                    return StepResult.Failure(created.Error!.Contains("Unknown device type", StringComparison.Ordinal)
                        ? $"cannot create the ifb device {ifb} that shapes what {name} receives: the kernel has no ifb module (modprobe ifb; it is in linux-modules-extra on some distributions)"
                        : created.Error);
                }
            }
        }

        var lines = new List<string>();
        if (ours)
        {
            // Rebuilt from the current settings rather than patched: a second apply leaves one setup.
            lines.Add($"qdisc del dev {name} root");
        }

        lines.AddRange(ThrottleQdiscs.Shaper(name, options.Rate, options.UnthrottledPorts));
        if (ifbShaped)
        {
            lines.Add($"qdisc del dev {ifb} root");
        }

        lines.AddRange(ThrottleQdiscs.Shaper(ifb, options.Rate, options.UnthrottledPorts));
        if (ingress is null)
        {
            lines.Add($"qdisc add dev {name} ingress");
        }
        else if (ourRedirect)
        {
            lines.Add($"filter del dev {name} ingress pref {ThrottleQdiscs.IngressPref}");
        }

        lines.Add(ThrottleQdiscs.IngressRedirect(name, ifb));
        var result = await tc.IpAsync(["link", "set", "dev", ifb, "up"], cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            result = await tc.BatchAsync(lines, cancellationToken).ConfigureAwait(false);
        }

        if (!result.Succeeded)
        {
            // The batch stops at its first failing line.
            await ForgetIfNewAsync(held, wasHeld, cancellationToken).ConfigureAwait(false);
            return StepResult.Failure($"cannot throttle {name}: {result.Error}");
        }

        LogThrottled(name, options.Rate.ToString(), ifb, previous.ToString());
        return StepResult.Success;
    }

    /// <summary>tc failed, or printed what is not the JSON it prints (another iproute2 version).</summary>
    private static bool IsUnreadable(Exception e) =>
        e is TcException or System.Text.Json.JsonException or InvalidOperationException or KeyNotFoundException;

    /// <summary>
    /// After a failed setup: one begun on an interface the throttle did not hold is undone, so nothing is left half
    /// set; one it held (being put back) stays remembered, for the next check to try again and a revert to undo.
    /// </summary>
    private async Task ForgetIfNewAsync(ThrottledInterface held, bool wasHeld, CancellationToken cancellationToken)
    {
        if (!wasHeld && (await RevertAsync(held, cancellationToken).ConfigureAwait(false)).Succeeded)
        {
            _held.Remove(held.Name);
        }
    }

    /// <summary>Puts the interface back as it was before the throttle, deleting only what is the throttle's.</summary>
    private async Task<StepResult> RevertAsync(ThrottledInterface held, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        bool ifbMine;
        try
        {
            var json = await tc.QdiscsAsync(held.Name, cancellationToken).ConfigureAwait(false);
            if (json is not null)
            {
                var qdiscs = ThrottleQdiscs.ParseQdiscs(json);
                var root = qdiscs.FirstOrDefault(q => q.Root);
                if (ThrottleQdiscs.IsOurs(root))
                {
                    // replace swaps ours for theirs at once; deleting ours lets the kernel put its default back.
                    lines.Add(held.Previous.Arguments is { } arguments
                        ? $"qdisc replace dev {held.Name} root {string.Join(' ', arguments)}"
                        : $"qdisc del dev {held.Name} root");
                }
                else if (root is not null && !root.IsKernelDefault)
                {
                    LogNotOurs(held.Name, root.ToString());
                }

                var filters = ThrottleQdiscs.ParseIngressFilters(await tc.IngressFiltersAsync(held.Name, cancellationToken).ConfigureAwait(false) ?? string.Empty);
                var ourRedirect = filters.Any(f => ThrottleQdiscs.IsOurRedirect(f, held.Ifb));
                var othersFilters = filters.Any(f => f.Pref != ThrottleQdiscs.IngressPref);
                if (held.OwnIngress && !othersFilters && qdiscs.Any(q => q.Kind == "ingress"))
                {
                    lines.Add($"qdisc del dev {held.Name} ingress");
                }
                else if (ourRedirect)
                {
                    lines.Add($"filter del dev {held.Name} ingress pref {ThrottleQdiscs.IngressPref}");
                }
            }

            ifbMine = await tc.LinkAsync(held.Ifb, cancellationToken).ConfigureAwait(false) is { } ifbLink && ThrottleQdiscs.IsOurIfb(ifbLink, held.Name);
        }
        catch (Exception e) when (IsUnreadable(e))
        {
            return StepResult.Failure($"cannot read {held.Name}'s qdiscs: {e.Message}");
        }

        var result = await tc.BatchAsync(lines, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return StepResult.Failure($"cannot undo the throttle of {held.Name}: {result.Error}");
        }

        if (ifbMine)
        {
            var deleted = await tc.IpAsync(["link", "del", "dev", held.Ifb], cancellationToken).ConfigureAwait(false);
            if (!deleted.Succeeded)
            {
                return StepResult.Failure($"cannot delete the throttle's ifb device {held.Ifb}: {deleted.Error}");
            }
        }

        LogThrottleRemoved(held.Name, held.Previous.ToString());
        return StepResult.Success;
    }

    [LoggerMessage(EventId = LogEvents.ThrottleApplied, Level = LogLevel.Information,
        Message = "Throttled {Interface} to {Rate} both ways (what it receives through {Ifb}); the root qdisc it replaced, put back when undone: {Previous}")]
    private partial void LogThrottled(string @interface, string rate, string ifb, string previous);

    [LoggerMessage(EventId = LogEvents.ThrottleRemoved, Level = LogLevel.Information, Message = "Removed the throttle of {Interface}; root qdisc put back: {Previous}")]
    private partial void LogThrottleRemoved(string @interface, string previous);

    [LoggerMessage(EventId = LogEvents.ThrottleNotOurs, Level = LogLevel.Warning,
        Message = "{Interface}'s root qdisc is {Qdisc}, not the throttle's (someone replaced it): left as it is")]
    private partial void LogNotOurs(string @interface, string qdisc);

    [LoggerMessage(EventId = LogEvents.ThrottleRepaired, Level = LogLevel.Warning, Message = "The throttle of {Interface} {Found}: put it back")]
    private partial void LogThrottleRepaired(string @interface, string found);
}
