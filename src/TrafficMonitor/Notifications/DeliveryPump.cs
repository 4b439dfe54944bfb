using Microsoft.Extensions.Logging;
using TrafficMonitor.Hosting;

namespace TrafficMonitor.Notifications;

/// <summary>
/// Delivers the outbox in the background, one round at a time. A check only kicks it and moves on, so a hung
/// server (up to its channel's timeout) never delays the next check: near a threshold checks come many times a
/// second, and the critical action must not wait behind a stage message.
/// </summary>
public sealed partial class DeliveryPump(NotificationDispatcher dispatcher, ILogger<DeliveryPump> logger)
{
    private readonly Lock _lock = new();
    private Task _round = Task.CompletedTask;
    private bool _again;
    private long _roundsDone;

    /// <summary>Delivery rounds finished since start: each one ran the code and allocated the memory a message takes.</summary>
    public long RoundsDone => Interlocked.Read(ref _roundsDone);

    /// <summary>Starts a delivery round, or, if one is running, asks for another right after it (for what was queued meanwhile).</summary>
    public void Kick()
    {
        // Near a threshold checks come many times a second; most have nothing to send.
        if (dispatcher.PendingCount == 0)
        {
            return;
        }

        lock (_lock)
        {
            if (!_round.IsCompleted)
            {
                _again = true;
                return;
            }

            _round = Task.Run(DeliverUntilQuietAsync);
        }
    }

    /// <summary>Completes when no round is running or asked for; each round is bounded by the channels' timeouts.</summary>
    public async Task WhenIdleAsync()
    {
        while (true)
        {
            Task round;
            lock (_lock)
            {
                round = _round;
            }

            await round.ConfigureAwait(false);
            lock (_lock)
            {
                if (_round.IsCompleted)
                {
                    return;
                }
            }
        }
    }

    private async Task DeliverUntilQuietAsync()
    {
        while (true)
        {
            try
            {
                await dispatcher.DeliverPendingAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // The outbox keeps what was not delivered; the next kick tries again.
                LogRoundFailed(e);
            }

            Interlocked.Increment(ref _roundsDone);

            lock (_lock)
            {
                if (!_again)
                {
                    return;
                }

                _again = false;
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.DeliveryRoundFailed, Level = LogLevel.Error, Message = "A notification delivery round failed unexpectedly; what was not sent stays queued")]
    private partial void LogRoundFailed(Exception exception);
}
