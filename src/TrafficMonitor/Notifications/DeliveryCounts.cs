namespace TrafficMonitor.Notifications;

/// <summary>One channel's deliveries since this process started, and what waits for it in the outbox now.</summary>
public sealed record ChannelCounts(string Channel, string Name, long Sent, long Failed, int Pending);

/// <summary>
/// Kept by the dispatcher as it delivers, so that whoever shows them (metrics, the status page) reads numbers and never
/// the outbox file.
/// </summary>
public sealed class DeliveryCounts
{
    private readonly Lock _lock = new();
    // The channels, not their ids: a webhook's id is a SHA-256 of its URL, and hashing loads OpenSSL (+4 MiB resident)
    // in a daemon that may never send a message. The ids are asked for when a delivery or a reader needs them.
    private readonly List<INotificationChannel> _channels;
    private readonly Dictionary<string, (long Sent, long Failed, int Pending)> _counts = new(StringComparer.Ordinal);

    public DeliveryCounts(IEnumerable<INotificationChannel> channels) => _channels = [.. channels];

    public void Delivered(string channel, bool succeeded)
    {
        lock (_lock)
        {
            var c = _counts.GetValueOrDefault(channel);
            _counts[channel] = succeeded ? c with { Sent = c.Sent + 1 } : c with { Failed = c.Failed + 1 };
        }
    }

    public void Pending(string channel, int pending)
    {
        lock (_lock)
        {
            _counts[channel] = _counts.GetValueOrDefault(channel) with { Pending = pending };
        }
    }

    public IReadOnlyList<ChannelCounts> Read()
    {
        lock (_lock)
        {
            return [.. _channels.Select(c =>
            {
                var (sent, failed, pending) = _counts.GetValueOrDefault(c.Id);
                return new ChannelCounts(c.Id, c.Name, sent, failed, pending);
            })];
        }
    }
}
