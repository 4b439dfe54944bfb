using Microsoft.Extensions.Logging;
using TrafficMonitor.Configuration;
using TrafficMonitor.Hosting;
using TrafficMonitor.Platform;
using TrafficMonitor.Quota;
using TrafficMonitor.Usage.SystemCounters;

namespace TrafficMonitor.Usage.VnStat;

/// <summary>
/// Usage from vnStat 2.x: the month row when the period is a calendar month (reset day 1), otherwise the sum of the
/// daily rows since the period started. Dates are vnStat's local dates, as are the period's. With the kernel's
/// counters readable (<see cref="VnStatLiveCounters"/>), what vnStat has not written yet is added, so the numbers are
/// live; vnStat itself only runs again when its database changed.
/// </summary>
public sealed partial class VnStatUsageSource(
    VnStatOptions vnstat,
    MonitorOptions monitor,
    IProcessRunner processRunner,
    TimeProvider timeProvider,
    ILogger<VnStatUsageSource> logger,
    HostPlatform platform,
    VnStatLiveCounters? live = null,
    IInterfaceCounters? counters = null) : IUsageSource
{
    /// <summary>vnStat writes its database every 5 minutes by default; far longer means its daemon is not running.</summary>
    private static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(30);

    /// <summary>How much of vnStat's output an error message quotes.</summary>
    private const int MaxQuotedOutput = 400;

    private DateTimeOffset? _staleWarnedFor;

    private (BillingPeriod Period, bool Months, (DateTime, long) Version, VnStatDocument Document)? _cached;
    private ((DateTime, long) Version, VnStatDocument Document)? _cachedDays;
    private bool? _liveWorked;

    public string Name => MonitorOptions.VnStatProvider;

    public async Task<UsageReading> ReadAsync(BillingPeriod period, CancellationToken cancellationToken)
    {
        var useMonthRows = period.Start.Day == 1 && period.End == period.Start.AddMonths(1);
        var version = live?.DatabaseVersion();
        VnStatDocument document;
        if (_cached is { } cached && cached.Period == period && cached.Months == useMonthRows && version is { } v && cached.Version == v)
        {
            document = cached.Document;
        }
        else
        {
            document = VnStatDocument.Parse(await RunVnStatAsync(useMonthRows ? "m" : "d", cancellationToken).ConfigureAwait(false));
            _cached = version is { } written ? (period, useMonthRows, written, document) : null;
        }

        // The month row stays the period's total; its days (for the chart and the forecast) are vnStat's day rows,
        // read once per database write like the month rows.
        var days = useMonthRows ? await DayRowsAsync(version, cancellationToken).ConfigureAwait(false) : document;

        if (document.Interfaces.Count == 0)
        {
            throw new UsageUnavailableException(
                "vnStat's database has no interfaces yet: start its daemon (systemctl enable --now vnstat) or add one (vnstat --add -i eth0)");
        }

        var byName = document.Interfaces.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var explicitChoice = monitor.Interfaces.Count > 0;
        var periodStartsAt = period.StartsAt(timeProvider.LocalTimeZone);
        var usages = new List<InterfaceUsage>();
        var dayRows = new List<(DateOnly, long, long)>();
        var daysByName = days?.Interfaces.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var stale = new List<VnStatInterface>();
        foreach (var name in InterfaceSelection.Select(byName.Keys, monitor.Interfaces, "vnStat's database", platform))
        {
            var entry = byName[name];
            var (rows, rx, tx) = useMonthRows
                ? Sum(name, period, entry.Months.Where(row => row.Year == period.Start.Year && row.Month == period.Start.Month).Select(row => (row.Rx, row.Tx)))
                : Sum(name, period, entry.Days.Where(row => period.Contains(row.Date)).Select(row => (row.Rx, row.Tx)));

            // No row and no update this period means vnStat has not looked at the interface since the period began:
            // that is missing data, not zero traffic.
            if (rows == 0 && (entry.UpdatedAt is null || entry.UpdatedAt < periodStartsAt))
            {
                stale.Add(entry);
                continue;
            }

            usages.Add(new InterfaceUsage(name, rx, tx));
            if (daysByName?.GetValueOrDefault(name) is { } withDays)
            {
                dayRows.AddRange(withDays.Days.Select(row => (row.Date, row.Rx, row.Tx)));
            }
        }

        if (stale.Count > 0 && (explicitChoice || usages.Count == 0))
        {
            var last = stale[0].UpdatedAt is { } at ? $"last updated {at.ToOffset(timeProvider.LocalTimeZone.GetUtcOffset(at)):yyyy-MM-dd HH:mm}" : "never updated";
            throw new UsageUnavailableException(
                $"vnStat has no data for {string.Join(", ", stale.Select(s => s.Name))} in the period {period} ({last}): " +
                "is the vnStat daemon running? (systemctl enable --now vnstat)");
        }

        foreach (var skipped in stale)
        {
            LogInterfaceSkipped(skipped.Name, period);
        }

        var updatedAt = usages.Select(u => byName[u.Name].UpdatedAt).Max();
        WarnIfStale(updatedAt);
        return MakeLive(new UsageReading(Name, period, usages, updatedAt) { Days = UsageReading.SumDays(dayRows, period) }).Verified();
    }

    /// <summary>vnStat's day rows; null when they cannot be read (the chart and the recent rate go without, the total stands).</summary>
    private async Task<VnStatDocument?> DayRowsAsync((DateTime, long)? version, CancellationToken cancellationToken)
    {
        if (_cachedDays is { } cached && version is { } v && cached.Version == v)
        {
            return cached.Document;
        }

        try
        {
            var document = VnStatDocument.Parse(await RunVnStatAsync("d", cancellationToken).ConfigureAwait(false));
            _cachedDays = version is { } written ? (written, document) : null;
            return document;
        }
        catch (UsageUnavailableException)
        {
            return null;
        }
    }

    private UsageReading MakeLive(UsageReading reading)
    {
        if (live is null || counters is null)
        {
            return reading;
        }

        IReadOnlyDictionary<string, (long Rx, long Tx)> unwritten;
        CountersSnapshot kernel;
        try
        {
            kernel = counters.Read();
            unwritten = VnStatLiveCounters.Unwritten(live.ReadDatabase(), kernel);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or UsageUnavailableException)
        {
            if (_liveWorked != false)
            {
                LogNotLive(live.DatabaseFile, e.Message);
            }

            _liveWorked = false;
            return reading;
        }

        if (_liveWorked != true)
        {
            LogLive(live.DatabaseFile);
        }

        _liveWorked = true;
        var usages = reading.Interfaces.Select(u => unwritten.TryGetValue(u.Name, out var more) ? Add(u, more) : u).ToList();

        // What vnStat has not written yet was moved today (vnStat writes at least every few minutes).
        var today = Quota.CheckTime.From(timeProvider).Today;
        var added = reading.Interfaces.Select(u => unwritten.GetValueOrDefault(u.Name)).Aggregate((Rx: 0L, Tx: 0L), (sum, more) => (sum.Rx + more.Rx, sum.Tx + more.Tx));
        var days = added is (0, 0) ? reading.Days : UsageReading.SumDays(
            reading.Days.Select(d => (d.Date, d.Rx, d.Tx)).Append((today, added.Rx, added.Tx)), reading.Period);
        return reading with
        {
            Interfaces = usages, DataUpdatedAt = timeProvider.GetUtcNow(), LineRate = counters.LineRate(usages.Select(u => u.Name)), Days = days,
        };
    }

    /// <summary>
    /// Frozen data is still a safe lower bound, so it is used (and made live from the kernel's counters where that
    /// works), but a stopped daemon is worth saying once per frozen timestamp rather than at every check.
    /// </summary>
    private void WarnIfStale(DateTimeOffset? updatedAt)
    {
        if (updatedAt is { } at && timeProvider.GetUtcNow() - at > StaleAfter && at != _staleWarnedFor)
        {
            _staleWarnedFor = at;
            LogStale(at.ToOffset(timeProvider.LocalTimeZone.GetUtcOffset(at)).ToString("yyyy-MM-dd HH:mm:ss zzz", System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static (int Rows, long Rx, long Tx) Sum(string name, BillingPeriod period, IEnumerable<(long Rx, long Tx)> rows)
    {
        var (count, rx, tx) = (0, 0L, 0L);
        try
        {
            foreach (var row in rows)
            {
                count++;
                rx = checked(rx + row.Rx);
                tx = checked(tx + row.Tx);
            }
        }
        catch (OverflowException)
        {
            throw new UsageUnavailableException(
                $"vnStat's rows for {name} in the period {period} add up to more than 2^63 bytes (8 EiB), which no link moves: " +
                $"vnStat's database holds impossible numbers (see 'vnstat -i {name} -d')");
        }

        return (count, rx, tx);
    }

    private static InterfaceUsage Add(InterfaceUsage usage, (long Rx, long Tx) unwritten)
    {
        try
        {
            return usage with { Rx = checked(usage.Rx + unwritten.Rx), Tx = checked(usage.Tx + unwritten.Tx) };
        }
        catch (OverflowException)
        {
            throw new UsageUnavailableException(
                $"vnStat's count for {usage.Name} (rx {usage.Rx}, tx {usage.Tx}) plus what the kernel counted since vnStat wrote it " +
                $"(rx {unwritten.Rx}, tx {unwritten.Tx}) passes 2^63 bytes (8 EiB), which no link moves: the data is damaged");
        }
    }

    private async Task<string> RunVnStatAsync(string mode, CancellationToken cancellationToken)
    {
        var command = new List<string> { vnstat.Command };
        if (!string.IsNullOrEmpty(vnstat.Config))
        {
            command.AddRange(["--config", vnstat.Config]);
        }

        if (!string.IsNullOrEmpty(vnstat.DbDir))
        {
            command.AddRange(["--dbdir", vnstat.DbDir]);
        }

        // "--json m", never "--json -m": vnStat takes "-m" as a separate text-mode switch.
        command.AddRange(["--json", mode]);
        ProcessResult result;
        try
        {
            result = await processRunner.RunAsync(command, VnStatOptions.CommandTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (ProgramNotFoundException e)
        {
            throw new UsageUnavailableException(
                $"vnStat is not installed or not runnable ('{vnstat.Command}': {e.InnerException?.Message}): install it " +
                "(Debian/Ubuntu: apt install vnstat; RHEL: dnf install vnstat; macOS: brew install vnstat), start its daemon " +
                "(systemctl enable --now vnstat), or set vnstat.command to its path", e);
        }
        catch (TimeoutException e)
        {
            throw new UsageUnavailableException($"vnStat did not answer: {e.Message}", e);
        }

        if (result.ExitCode != 0)
        {
            // vnStat's words are kept (they name the problem), but only as printable text of a bounded length.
            var message = PrintableText.OneLine(result.StandardOutput + "\n" + result.StandardError, MaxQuotedOutput);
            var hint = message.Contains("suitable interface", StringComparison.OrdinalIgnoreCase)
                ? " vnStat's database has no interfaces yet: start its daemon (systemctl enable --now vnstat; without systemd: vnstatd -d) or add one (vnstat --add -i eth0)."
                : message.Contains("database is locked", StringComparison.OrdinalIgnoreCase) || message.Contains("database is busy", StringComparison.OrdinalIgnoreCase)
                    ? " vnStat waited for a lock on its database and gave up: another program holds it for longer than vnStat's daemon does when it writes " +
                      $"(a sqlite3 session or a backup with a transaction open?); find it with {(live is null ? "fuser -v on vnStat's database file" : $"'fuser -v {live.DatabaseFile}'")}. It is tried again at the next check."
                    : message.Contains("database", StringComparison.OrdinalIgnoreCase)
                        ? " Start vnStat's daemon so it creates its database (systemctl enable --now vnstat; without systemd: vnstatd -d), or point vnstat.dbdir at it."
                        : string.Empty;
            throw new UsageUnavailableException($"vnStat failed (exit code {result.ExitCode}): {message}{hint}");
        }

        return result.StandardOutput;
    }

    [LoggerMessage(EventId = LogEvents.VnStatStale, Level = LogLevel.Warning,
        Message = "vnStat has not updated its database since {UpdatedAt}: is its daemon running? (systemctl status vnstat)")]
    private partial void LogStale(string updatedAt);

    [LoggerMessage(EventId = LogEvents.VnStatLive, Level = LogLevel.Information,
        Message = "vnStat's numbers are made live: the kernel's counters since vnStat last wrote {Database} are added at each check")]
    private partial void LogLive(string database);

    [LoggerMessage(EventId = LogEvents.VnStatNotLive, Level = LogLevel.Warning,
        Message = "vnStat's numbers cannot be made live from {Database}, so they lag the kernel by up to vnStat's SaveInterval (5 min by default): {Reason}")]
    private partial void LogNotLive(string database, string reason);

    [LoggerMessage(EventId = LogEvents.VnStatInterfaceSkipped, Level = LogLevel.Information,
        Message = "Not counting {Interface}: vnStat has not updated it during the period {Period} (an interface that no longer exists?)")]
    private partial void LogInterfaceSkipped(string @interface, BillingPeriod period);
}
