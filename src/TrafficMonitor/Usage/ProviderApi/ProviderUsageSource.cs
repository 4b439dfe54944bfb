using Microsoft.Extensions.Logging;
using TrafficMonitor.Configuration;
using TrafficMonitor.Hosting;
using TrafficMonitor.Monitoring;
using TrafficMonitor.Quota;

namespace TrafficMonitor.Usage.ProviderApi;

/// <summary>
/// <c>provider_api</c>: the provider's own meter, read no more often than <c>poll</c>, plus what the own counters
/// (the source <c>monitor.provider</c> chooses) moved since its last good reading. So the decision counts what the
/// provider bills, live. While the API fails the own counters carry on from the last good reading (said once, then
/// polled with backoff); an answer that does not parse is never used.
/// </summary>
public sealed partial class ProviderUsageSource(
    IUsageSource own,
    IProviderMeter meter,
    ProviderStore store,
    ProviderApiOptions options,
    ThresholdsOptions thresholds,
    MonitorOptions monitor,
    RunMode runMode,
    TimeProvider time,
    ILogger<ProviderUsageSource> logger) : IUsageSource, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ProviderRecord? _record;
    private bool _readOnce;

    public string Name => $"{meter.Kind} API + {own.Name}";

    /// <summary>The source of the own counters.</summary>
    public IUsageSource Own => own;

    public IProviderMeter Meter => meter;

    public void Dispose() => _gate.Dispose();

    public async Task<UsageReading> ReadAsync(BillingPeriod period, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ReadLockedAsync(period, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<UsageReading> ReadLockedAsync(BillingPeriod period, CancellationToken cancellationToken)
    {
        var record = _record ??= store.Load($"{meter.Kind} {options.ServerId}");
        var now = time.GetUtcNow();
        ProviderMeterReading? fresh = null;
        if (now >= ProviderPolicy.NextPollAt(record, options.Poll))
        {
            try
            {
                fresh = await meter.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ProviderApiException e)
            {
                record = Failed(record, now, e);
            }
        }

        if (monitor.ResetDayFromProvider)
        {
            if (ProviderPolicy.ResetDay(fresh?.NextReset ?? record.NextReset, time.LocalTimeZone) is not { } day)
            {
                // The failed attempt is kept, so the next check does not ask again before the poll is due.
                Keep(record, record != _record);
                throw new UsageUnavailableException(
                    $"monitor.reset_day is provider, and {meter.Kind}'s API has not said yet when the period resets ({record.LastError ?? "no answer yet"}); " +
                    "it is asked again at the next poll, or write the day in monitor.reset_day");
            }

            period = CheckTime.From(time).Period(day);
        }

        UsageReading ownReading;
        try
        {
            ownReading = await own.ReadAsync(period, cancellationToken).ConfigureAwait(false);
        }
        catch (UsageUnavailableException)
        {
            // A reading without the own counters to pair it with cannot be used; the attempt still counts for polling.
            Keep(fresh is null ? record : record with { LastAttemptAt = now }, true);
            throw;
        }

        var ownBytes = meter.OwnBilled(ownReading, monitor.Count);
        if (fresh is not null)
        {
            record = Succeeded(record, fresh, ownBytes, period);
        }

        var figures = ProviderPolicy.Combine(record, period, ownBytes, meter.Kind, meter.Billing) with
        {
            TolerancePercent = options.TolerancePercent,
            FailingSince = record.FailingSince,
            ReportUnavailable = fresh is null && record.Failures == 1 && record.LastAttemptAt == now,
        };
        if (ProviderPolicy.ShouldReport(record, period, figures.Comparison, options.TolerancePercent))
        {
            var c = figures.Comparison!;
            LogDisagrees(meter.Kind, c.ProviderBytes, c.OwnBytes, c.DifferencePercent, Iso8601.Time(c.From), Iso8601.Time(c.To));
            figures = figures with { ReportDisagreement = true };
            record = record with { DisagreementReported = period.Start };
        }

        Keep(record, fresh is not null || figures.ReportDisagreement || record != _record);
        CheckAdopted(figures);
        return ownReading with { Source = Name, Provider = figures };
    }

    private ProviderRecord Failed(ProviderRecord record, DateTimeOffset now, ProviderApiException e)
    {
        var failed = ProviderPolicy.Failed(record, now, e.Message, e.RetryAfter);
        var retry = Configuration.DurationParser.Format(ProviderPolicy.NextPollAt(failed, options.Poll) - now);
        if (record.Failures == 0)
        {
            var from = record.Last is { } last ? $"the own counters since its last good reading ({Iso8601.Time(last.ReadAt)})" : "the own counters alone";
            LogDegraded(meter.Kind, e.Message, from, retry);
        }
        else
        {
            LogStillFailing(meter.Kind, failed.Failures, e.Message, retry);
        }

        return failed;
    }

    private ProviderRecord Succeeded(ProviderRecord record, ProviderMeterReading fresh, long ownBytes, BillingPeriod period)
    {
        if (record.Failures > 0)
        {
            LogRecovered(meter.Kind, record.Failures, Iso8601.Time(record.FailingSince ?? fresh.ReadAt));
        }

        if (!_readOnce)
        {
            _readOnce = true;
            LogFirstReading(meter.Kind, meter.Endpoint, meter.Billing, fresh.BilledBytes, Configuration.DurationParser.Format(options.Poll), own.Name);
        }
        else
        {
            LogReading(meter.Kind, fresh.BilledBytes, ownBytes);
        }

        return ProviderPolicy.Succeeded(record, fresh, ownBytes, period);
    }

    private void Keep(ProviderRecord record, bool changed)
    {
        _record = record;
        if (changed && runMode.KeepsState)
        {
            store.Save(record);
        }
    }

    /// <summary>The provider's limit stands in for total_limit only when the stages it makes can work.</summary>
    private void CheckAdopted(ProviderFigures figures)
    {
        if (!thresholds.LimitFromProvider)
        {
            return;
        }

        if (figures.LimitBytes is not { } limit)
        {
            throw new UsageUnavailableException(
                $"thresholds.total_limit is provider, and {meter.Kind}'s API has not given the plan's traffic yet ({_record?.LastError ?? "no answer yet"}): " +
                "it is asked again at the next poll, or write the limit in thresholds.total_limit");
        }

        if (thresholds.Interval.Bytes > limit || limit / thresholds.Interval.Bytes > ThresholdsOptions.MaxStages)
        {
            throw new UsageUnavailableException(
                $"{meter.Kind}'s plan traffic ({ByteSize.Format(limit, thresholds.Units)}) does not fit thresholds.interval ({thresholds.Interval}): " +
                $"it must make 1 to {ThresholdsOptions.MaxStages} stages; change thresholds.interval");
        }
    }

    [LoggerMessage(EventId = LogEvents.ProviderFirstReading, Level = LogLevel.Information,
        Message = "Usage source: {Kind}'s own meter ({Endpoint}, billing {Billing}) reads {Billed} bytes; asked every {Poll}, with what {Own} counts since each reading added")]
    private partial void LogFirstReading(string kind, string endpoint, string billing, long billed, string poll, string own);

    [LoggerMessage(EventId = LogEvents.ProviderReading, Level = LogLevel.Debug, Message = "{Kind}'s meter reads {Billed} bytes; the own counters {Own}")]
    private partial void LogReading(string kind, long billed, long own);

    [LoggerMessage(EventId = LogEvents.ProviderDegraded, Level = LogLevel.Warning,
        Message = "{Kind}'s API could not be read ({Reason}): deciding from {From} until it answers; asking again in {Retry}")]
    private partial void LogDegraded(string kind, string reason, string from, string retry);

    [LoggerMessage(EventId = LogEvents.ProviderStillFailing, Level = LogLevel.Debug,
        Message = "{Kind}'s API still cannot be read ({Failures} tries in a row: {Reason}); asking again in {Retry}")]
    private partial void LogStillFailing(string kind, int failures, string reason, string retry);

    [LoggerMessage(EventId = LogEvents.ProviderRecovered, Level = LogLevel.Information,
        Message = "{Kind}'s API answers again (after {Failures} failed tries since {Since}): counting from its meter again")]
    private partial void LogRecovered(string kind, int failures, string since);

    [LoggerMessage(EventId = LogEvents.ProviderDisagrees, Level = LogLevel.Warning,
        Message = "{Kind}'s meter counted {Provider} bytes from {From} to {To}, the own counters {Own} ({Percent}% off): " +
                  "check monitor.interfaces and the direction counted. The decision follows the provider's figure")]
    private partial void LogDisagrees(string kind, long provider, long own, decimal percent, string from, string to);
}
