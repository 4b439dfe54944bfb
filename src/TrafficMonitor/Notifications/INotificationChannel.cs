namespace TrafficMonitor.Notifications;

/// <summary>One way to reach the admin (email, chat, webhook).</summary>
public interface INotificationChannel
{
    string Name { get; }

    /// <summary>The most one delivery may take; the dispatcher enforces it even if the channel ignores cancellation.</summary>
    TimeSpan Timeout { get; }

    Task SendAsync(Notification notification, CancellationToken cancellationToken);
}
