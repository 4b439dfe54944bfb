using Microsoft.Extensions.Logging;
using TrafficMonitor.Configuration;
using TrafficMonitor.Hosting;
using TrafficMonitor.Notifications.Outbox;

namespace TrafficMonitor.Notifications;

/// <param name="Rejected">The server refused it for good (a configuration problem): retrying cannot help.</param>
/// <param name="RetryAfter">How long the server asked us to wait (HTTP 429 Retry-After).</param>
public sealed record ChannelResult(string Channel, bool Succeeded, string? Error, bool Rejected = false, TimeSpan? RetryAfter = null);

public sealed record DeliveryReport(IReadOnlyList<ChannelResult> Results)
{
    public bool AllSucceeded => Results.All(r => r.Succeeded);
}

/// <summary>
/// Delivers notifications through a persistent outbox: <see cref="Enqueue"/> records one (that is the moment the
/// monitor counts it as notified), <see cref="DeliverPendingAsync"/> sends whatever is due to every channel at once and
/// records each channel's result as soon as it is known. A failed delivery is retried with backoff across checks and
/// restarts until <c>notifications.expire</c>. Each send is bounded by its channel's timeout, so a hung server costs at
/// most that long and never holds back the other channels or a critical action.
/// </summary>
public sealed partial class NotificationDispatcher(
    IEnumerable<INotificationChannel> channels,
    OutboxStore outbox,
    NotificationsOptions options,
    TimeProvider timeProvider,
    ILogger<NotificationDispatcher> logger)
{
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan LongestRetryDelay = TimeSpan.FromMinutes(30);

    private readonly List<INotificationChannel> _channels = channels.ToList();
    private readonly Lock _lock = new();

    public IReadOnlyList<INotificationChannel> Channels => _channels;

    /// <summary>Deliveries sent and failed per channel since this process started, and what each still has pending.</summary>
    public DeliveryCounts Counts { get; } = new(channels);

    public string? OutboxProblem => outbox.Problem;

    /// <summary>Queues a notification for every channel; false when it was queued before (same id) or there is no channel.</summary>
    public bool Enqueue(Notification notification)
    {
        if (_channels.Count == 0)
        {
            LogNotification(notification.Kind, notification.Subject);
            LogNoChannel();
            return false;
        }

        lock (_lock)
        {
            var document = outbox.Document;
            if (document.Finished.ContainsKey(notification.Id) || document.Entries.Any(e => e.Notification.Id == notification.Id))
            {
                LogAlreadyQueued(notification.Kind, notification.Id);
                return false;
            }

            var now = timeProvider.GetUtcNow();
            var entry = new OutboxEntry { Notification = notification, ExpiresAt = now + options.Expire };
            foreach (var channel in _channels)
            {
                // A channel that is failing gets it at its next retry, with its backlog: trying it now would only cost another timeout.
                var channelRetryAt = document.Entries
                    .Select(e => e.Deliveries.GetValueOrDefault(channel.Id))
                    .Where(d => d is { Status: DeliveryStatus.Pending } && d.NextAttemptAt > now)
                    .Min(d => d!.NextAttemptAt);
                entry.Deliveries[channel.Id] = new ChannelDelivery { NextAttemptAt = channelRetryAt };
            }

            document.Entries.Add(entry);
            outbox.Save();
            CountPending();
            LogNotification(notification.Kind, notification.Subject);
            return true;
        }
    }

    /// <summary>Sends every due delivery, all channels at once; urgent notifications go first on each channel.</summary>
    public async Task DeliverPendingAsync(CancellationToken cancellationToken)
    {
        if (_channels.Count == 0)
        {
            return;
        }

        lock (_lock)
        {
            ExpireAndForget();
        }

        await Task.WhenAll(_channels.Select(channel => DeliverToChannelAsync(channel, cancellationToken))).ConfigureAwait(false);
        lock (_lock)
        {
            var document = outbox.Document;
            var finished = document.Entries.Where(e => e.Finished).ToList();
            foreach (var entry in finished)
            {
                document.Entries.Remove(entry);
                document.Finished[entry.Notification.Id] = entry.ExpiresAt;
            }

            if (finished.Count > 0)
            {
                outbox.Save();
            }
        }
    }

    /// <summary>Sends straight to every channel, outside the outbox (test-notify): one result per channel.</summary>
    public async Task<DeliveryReport> SendNowAsync(Notification notification, CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(_channels.Select(channel => SendOneAsync(channel, notification, cancellationToken))).ConfigureAwait(false);
        return new DeliveryReport(results);
    }

    /// <summary>Notifications still waiting for some channel.</summary>
    public int PendingCount
    {
        get
        {
            lock (_lock)
            {
                return outbox.Document.Entries.Count(e => !e.Finished);
            }
        }
    }

    private async Task DeliverToChannelAsync(INotificationChannel channel, CancellationToken cancellationToken)
    {
        List<(OutboxEntry Entry, ChannelDelivery Delivery)> due;
        lock (_lock)
        {
            var now = timeProvider.GetUtcNow();
            due = outbox.Document.Entries
                .Select(e => (Entry: e, Delivery: e.Deliveries.GetValueOrDefault(channel.Id)))
                .Where(d => d.Delivery is { Status: DeliveryStatus.Pending } && (d.Delivery.NextAttemptAt is null || d.Delivery.NextAttemptAt <= now))
                .OrderByDescending(d => d.Entry.Notification.Urgent)
                .ThenBy(d => d.Entry.Notification.CreatedAt)
                .Select(d => (d.Entry, d.Delivery!))
                .ToList();
        }

        for (var i = 0; i < due.Count; i++)
        {
            var (entry, delivery) = due[i];
            var result = await SendOneAsync(channel, entry.Notification, cancellationToken).ConfigureAwait(false);
            Counts.Delivered(channel.Id, result.Succeeded);
            lock (_lock)
            {
                var now = timeProvider.GetUtcNow();
                delivery.Attempts++;
                if (result.Succeeded)
                {
                    delivery.Status = DeliveryStatus.Delivered;
                    delivery.DeliveredAt = now;
                    delivery.LastError = null;
                    delivery.NextAttemptAt = null;
                }
                else if (result.Rejected)
                {
                    delivery.Status = DeliveryStatus.Rejected;
                    delivery.LastError = result.Error;
                    LogRejected(channel.Name, entry.Notification.Kind, result.Error!);
                }
                else
                {
                    delivery.LastError = result.Error;
                    var next = now + (result.RetryAfter ?? Backoff(delivery.Attempts));
                    delivery.NextAttemptAt = next;
                    // The channel is down or asked us to wait: the rest of its queue (even what was queued meanwhile) waits as long, untried.
                    foreach (var other in outbox.Document.Entries.Select(e => e.Deliveries.GetValueOrDefault(channel.Id)))
                    {
                        if (other is { Status: DeliveryStatus.Pending } && (other.NextAttemptAt is null || other.NextAttemptAt < next))
                        {
                            other.NextAttemptAt = next;
                        }
                    }

                    LogRetryScheduled(channel.Name, entry.Notification.Kind, Iso8601.Time(next), delivery.Attempts);
                }

                outbox.Save();
                CountPending();
            }

            if (!result.Succeeded && !result.Rejected)
            {
                return;
            }
        }
    }

    private void ExpireAndForget()
    {
        var document = outbox.Document;
        var now = timeProvider.GetUtcNow();
        var expired = document.Entries.Where(e => e.ExpiresAt <= now).ToList();
        foreach (var entry in expired)
        {
            foreach (var (channelId, delivery) in entry.Deliveries.Where(d => d.Value.Status == DeliveryStatus.Pending))
            {
                var name = _channels.FirstOrDefault(c => c.Id == channelId)?.Name ?? channelId;
                LogExpired(entry.Notification.Kind, name, Iso8601.Time(entry.Notification.CreatedAt), delivery.Attempts, delivery.LastError ?? "never tried");
            }

            document.Entries.Remove(entry);
            document.Finished[entry.Notification.Id] = entry.ExpiresAt;
        }

        // Deliveries for channels no longer configured can never happen.
        var removedChannel = false;
        foreach (var entry in document.Entries)
        {
            foreach (var channelId in entry.Deliveries.Keys.Where(id => _channels.All(c => c.Id != id)).ToList())
            {
                entry.Deliveries.Remove(channelId);
                removedChannel = true;
            }
        }

        var forgotten = document.Finished.Where(f => f.Value <= now).Select(f => f.Key).ToList();
        forgotten.ForEach(id => document.Finished.Remove(id));
        if (expired.Count > 0 || forgotten.Count > 0 || removedChannel)
        {
            outbox.Save();
        }

        CountPending();
    }

    /// <summary>Under the lock, after the outbox changed.</summary>
    private void CountPending()
    {
        foreach (var channel in _channels)
        {
            Counts.Pending(channel.Id, outbox.Document.Entries.Count(e => e.Deliveries.GetValueOrDefault(channel.Id) is { Status: DeliveryStatus.Pending }));
        }
    }

    private static TimeSpan Backoff(int attempts)
    {
        var delay = FirstRetryDelay * Math.Pow(2, Math.Min(attempts - 1, 16));
        return delay < LongestRetryDelay ? delay : LongestRetryDelay;
    }

    private async Task<ChannelResult> SendOneAsync(INotificationChannel channel, Notification notification, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(channel.Timeout);
        var send = Task.Run(() => channel.SendAsync(notification, limit.Token), CancellationToken.None);
        // A channel that ignores cancellation still gets no more than its timeout (and a second's grace).
        var deadline = Task.Delay(channel.Timeout + TimeSpan.FromSeconds(1), CancellationToken.None);
        var timedOut = $"no answer within {DurationParser.Format(channel.Timeout)}";
        try
        {
            if (await Task.WhenAny(send, deadline).ConfigureAwait(false) != send)
            {
                _ = send.ContinueWith(static t => t.Exception, TaskScheduler.Default);
                throw new TimeoutException(timedOut);
            }

            await send.ConfigureAwait(false);
            LogDelivered(channel.Name, notification.Kind);
            return new ChannelResult(channel.Name, true, null);
        }
        catch (DeliveryException e)
        {
            LogDeliveryFailed(channel.Name, notification.Kind, e.Message);
            return new ChannelResult(channel.Name, false, e.Message, e.Rejected, e.RetryAfter);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested || e is not OperationCanceledException)
        {
            var reason = e is OperationCanceledException ? timedOut : e.Message;
            LogDeliveryFailed(channel.Name, notification.Kind, reason);
            return new ChannelResult(channel.Name, false, reason);
        }
    }

    [LoggerMessage(EventId = LogEvents.Notification, Level = LogLevel.Information, Message = "Notification {Kind}: {Subject}")]
    private partial void LogNotification(NotificationKind kind, string subject);

    [LoggerMessage(EventId = LogEvents.NoNotificationChannel, Level = LogLevel.Warning,
        Message = "No notification channel is configured, so this alert is only in the log: add an email, webhooks or telegram section to the settings")]
    private partial void LogNoChannel();

    [LoggerMessage(EventId = LogEvents.NotificationDelivered, Level = LogLevel.Information, Message = "Sent {Kind} through {Channel}")]
    private partial void LogDelivered(string channel, NotificationKind kind);

    [LoggerMessage(EventId = LogEvents.NotificationDeliveryFailed, Level = LogLevel.Error, Message = "Could not send {Kind} through {Channel}: {Reason}")]
    private partial void LogDeliveryFailed(string channel, NotificationKind kind, string reason);

    [LoggerMessage(EventId = LogEvents.NotificationAlreadyQueued, Level = LogLevel.Debug, Message = "Notification {Kind} ({Id}) is already queued or sent: not queuing it again")]
    private partial void LogAlreadyQueued(NotificationKind kind, string id);

    [LoggerMessage(EventId = LogEvents.NotificationRetryScheduled, Level = LogLevel.Warning, Message = "{Kind} for {Channel} stays in the outbox: next attempt at {NextAttempt} (attempt {Attempts} failed)")]
    private partial void LogRetryScheduled(string channel, NotificationKind kind, string nextAttempt, int attempts);

    [LoggerMessage(EventId = LogEvents.NotificationRejected, Level = LogLevel.Error,
        Message = "{Channel} refused {Kind}, and retrying cannot help: this is a configuration problem (check the channel's URL, token, headers or addresses in the settings): {Reason}")]
    private partial void LogRejected(string channel, NotificationKind kind, string reason);

    [LoggerMessage(EventId = LogEvents.NotificationExpired, Level = LogLevel.Error,
        Message = "Gave up {Kind} (queued {Queued}) for {Channel} after {Attempts} attempts, as notifications.expire passed; last error: {LastError}")]
    private partial void LogExpired(NotificationKind kind, string channel, string queued, int attempts, string lastError);
}
