namespace TrafficMonitor.Notifications;

/// <summary>One way to reach the admin (email, chat, webhook).</summary>
public interface INotificationChannel
{
    /// <summary>Stable across restarts and safe to show; the outbox records deliveries under it.</summary>
    string Id { get; }

    /// <summary>How the channel reads in logs and output, without secrets: "email (smtp.example.com:587)".</summary>
    string Name { get; }

    /// <summary>The most one delivery may take; the dispatcher enforces it even if the channel ignores cancellation.</summary>
    TimeSpan Timeout { get; }

    /// <summary>
    /// Delivers one notification. Throws <see cref="DeliveryException"/> to say how to go on; any other exception is
    /// a transient failure, retried with backoff.
    /// </summary>
    Task SendAsync(Notification notification, CancellationToken cancellationToken);
}

/// <summary>
/// A delivery failed in a way the channel understood: <see cref="Rejected"/> means retrying cannot help (the
/// server refused the request: a configuration problem); otherwise retry, not before <see cref="RetryAfter"/>.
/// </summary>
public sealed class DeliveryException(string message, bool rejected, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public bool Rejected { get; } = rejected;

    public TimeSpan? RetryAfter { get; } = retryAfter;
}
