using Microsoft.Extensions.Logging;
using TrafficMonitor.Configuration;
using TrafficMonitor.Hosting;
using TrafficMonitor.Quota;
using TrafficMonitor.Usage.SystemCounters;
using TrafficMonitor.Usage.VnStat;

namespace TrafficMonitor.Usage;

/// <summary>
/// <c>monitor.provider: auto</c>: vnStat when it is installed and has data for the chosen interfaces, otherwise the
/// OS's own counters. Chosen once, at the first reading, and kept for the life of the process so the numbers never
/// jump between two sources.
/// </summary>
public sealed partial class AutoUsageSource(VnStatUsageSource vnStat, SystemUsageSource system, ILogger<AutoUsageSource> logger) : IUsageSource
{
    private IUsageSource? _chosen;

    public string Name => _chosen?.Name ?? MonitorOptions.AutoProvider;

    /// <summary>Why the source was chosen, for status and the log.</summary>
    public string? Reason { get; private set; }

    public async Task<UsageReading> ReadAsync(BillingPeriod period, CancellationToken cancellationToken)
    {
        if (_chosen is not null)
        {
            return await _chosen.ReadAsync(period, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var reading = await vnStat.ReadAsync(period, cancellationToken).ConfigureAwait(false);
            _chosen = vnStat;
            Reason = "vnStat is installed and has data for the counted interfaces";
            LogChoseVnStat(string.Join(", ", reading.Interfaces.Select(i => i.Name)));
            return reading;
        }
        catch (UsageUnavailableException e)
        {
            _chosen = system;
            // Not installed is the common case and needs no advice on installing it; anything else is worth the detail.
            var why = e.InnerException is Platform.ProgramNotFoundException ? "vnStat is not installed" : e.Message;
            Reason = $"{why.Split(". ", 2)[0]}, so the system's own counters";
            LogChoseSystem(system.LedgerPath, why);
            return system.Read(period);
        }
    }

    [LoggerMessage(EventId = LogEvents.AutoChoseVnStat, Level = LogLevel.Information, Message = "Usage source (provider auto): vnStat, which has data for {Interfaces}")]
    private partial void LogChoseVnStat(string interfaces);

    [LoggerMessage(EventId = LogEvents.AutoChoseSystem, Level = LogLevel.Information,
        Message = "Usage source (provider auto): the system's own interface counters, kept in {Ledger}, because vnStat is not usable: {Reason}")]
    private partial void LogChoseSystem(string ledger, string reason);
}
