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
    private readonly List<(string Id, string Name)> _channels;
    private readonly Dictionary<string, (long Sent, long Failed, int Pending)> _counts = new(StringComparer.Ordinal);

    public DeliveryCounts(IEnumerable<INotificationChannel> channels)
    {
        _channels = [.. channels.Select(c => (c.Id, c.Name))];
        foreach (var (id, _) in _channels)
        {
            _counts[id] = default;
        }
    }

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
                var (sent, failed, pending) = _counts[c.Id];
                return new ChannelCounts(c.Id, c.Name, sent, failed, pending);
            })];
        }
    }
}
