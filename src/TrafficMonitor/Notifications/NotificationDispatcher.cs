using Microsoft.Extensions.Logging;

namespace TrafficMonitor.Notifications;

public sealed record ChannelResult(string Channel, bool Succeeded, string? Error);

public sealed record DeliveryReport(IReadOnlyList<ChannelResult> Results)
{
    /// <summary>True when some channel accepted it, or when none is configured (the log is the only channel then).</summary>
    public bool Delivered => Results.Count == 0 || Results.Any(r => r.Succeeded);
}

/// <summary>
/// Sends a notification through every channel at once. Each channel is bounded by its own timeout, so a hung
/// server costs at most that long and never holds back the others or a critical action.
/// </summary>
public sealed partial class NotificationDispatcher(
    IEnumerable<INotificationChannel> channels,
    TimeProvider timeProvider,
    ILogger<NotificationDispatcher> logger)
{
    private readonly List<INotificationChannel> _channels = channels.ToList();

    public IReadOnlyList<INotificationChannel> Channels => _channels;

    public async Task<DeliveryReport> SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        LogNotification(notification.Kind, notification.Subject);
        if (_channels.Count == 0)
        {
            LogNoChannel();
            return new DeliveryReport([]);
        }

        var results = await Task.WhenAll(_channels.Select(channel => SendOneAsync(channel, notification, cancellationToken))).ConfigureAwait(false);
        return new DeliveryReport(results);
    }

    private async Task<ChannelResult> SendOneAsync(INotificationChannel channel, Notification notification, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(channel.Timeout);
        var send = Task.Run(() => channel.SendAsync(notification, limit.Token), CancellationToken.None);
        var deadline = Task.Delay(channel.Timeout + TimeSpan.FromSeconds(1), timeProvider, CancellationToken.None);
        try
        {
            if (await Task.WhenAny(send, deadline).ConfigureAwait(false) != send)
            {
                _ = send.ContinueWith(static t => t.Exception, TaskScheduler.Default);
                throw new TimeoutException($"no answer within {channel.Timeout.TotalSeconds:0.#}s");
            }

            await send.ConfigureAwait(false);
            LogDelivered(channel.Name, notification.Kind);
            return new ChannelResult(channel.Name, true, null);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested || e is not OperationCanceledException)
        {
            var reason = e is OperationCanceledException ? $"no answer within {channel.Timeout.TotalSeconds:0.#}s" : e.Message;
            LogDeliveryFailed(channel.Name, notification.Kind, reason);
            return new ChannelResult(channel.Name, false, reason);
        }
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Notification {Kind}: {Subject}")]
    private partial void LogNotification(NotificationKind kind, string subject);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning,
        Message = "No notification channel is configured, so this alert is only in the log: add an email section to the settings")]
    private partial void LogNoChannel();

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Sent {Kind} through {Channel}")]
    private partial void LogDelivered(string channel, NotificationKind kind);

    [LoggerMessage(EventId = 203, Level = LogLevel.Error, Message = "Could not send {Kind} through {Channel}: {Reason}")]
    private partial void LogDeliveryFailed(string channel, NotificationKind kind, string reason);
}
