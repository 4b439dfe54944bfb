using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TrafficMonitor.Configuration;

namespace TrafficMonitor.Hosting.Systemd;

/// <summary>
/// Tells the service manager how the daemon is doing (sd_notify): <c>READY=1</c> after the first check,
/// <c>RELOADING=1</c> on SIGHUP, <c>STOPPING=1</c>, <c>STATUS=</c> with the usage line, and <c>WATCHDOG=1</c>.
/// </summary>
/// <remarks>
/// Activated by <c>$NOTIFY_SOCKET</c> alone, not by Microsoft.Extensions.Hosting.Systemd's test of the parent process
/// (which must be named systemd and cannot be read under <c>ProtectProc=invisible</c>, dotnet/runtime#125368).
/// Every message is best effort, as sd_notify's are: a service manager that went away must not stop the monitor.
/// Lives outside the host, like the state directory's lock: a reload is not a restart.
/// </remarks>
public sealed partial class SystemdNotifier : IDisposable
{
    public const string SocketVariable = "NOTIFY_SOCKET";
    public const string WatchdogVariable = "WATCHDOG_USEC";
    public const string WatchdogPidVariable = "WATCHDOG_PID";

    private readonly Lock _gate = new();
    private readonly UnixDomainSocketEndPoint? _endPoint;
    private readonly ILogger _logger;
    private Socket? _socket;
    private bool _failureLogged;

    private SystemdNotifier(UnixDomainSocketEndPoint? endPoint, TimeSpan? watchdogInterval, ILogger logger)
    {
        _endPoint = endPoint;
        WatchdogInterval = watchdogInterval;
        _logger = logger;
    }

    /// <summary>Sends nothing: not started by a service manager that listens (or not on Linux).</summary>
    public static SystemdNotifier None { get; } = new(null, null, NullLogger.Instance);

    /// <summary>Whether a service manager listens.</summary>
    public bool Enabled => _endPoint is not null;

    /// <summary>How often <c>WATCHDOG=1</c> must arrive (half of <c>WATCHDOG_USEC</c>); null without a watchdog.</summary>
    public TimeSpan? WatchdogInterval { get; }

    /// <summary>The notifier the environment asks for: <see cref="None"/> unless <c>$NOTIFY_SOCKET</c> names a socket path or an abstract socket (<c>@name</c>).</summary>
    public static SystemdNotifier FromEnvironment(Func<string, string?> getEnvironment, int processId, ILogger? logger = null)
    {
        if (SocketAddress(getEnvironment(SocketVariable)) is not { } address || !Socket.OSSupportsUnixDomainSockets)
        {
            return None;
        }

        var watchdog = WatchdogHalf(getEnvironment(WatchdogVariable), getEnvironment(WatchdogPidVariable), processId);
        var notifier = new SystemdNotifier(new UnixDomainSocketEndPoint(address), watchdog, logger ?? NullLogger.Instance);
        LogNotifying(notifier._logger, getEnvironment(SocketVariable)!, watchdog is { } every ? $"WATCHDOG=1 every {DurationParser.Format(every)}" : "no watchdog");
        return notifier;
    }

    /// <summary>The socket address in <c>$NOTIFY_SOCKET</c>: an absolute path, or <c>@name</c> for an abstract socket (a leading NUL); null otherwise (unset, or vsock, which is not supported).</summary>
    internal static string? SocketAddress(string? variable) =>
        string.IsNullOrEmpty(variable) ? null
        : variable[0] == '@' ? "\0" + variable[1..]
        : variable[0] == '/' ? variable
        : null;

    /// <summary>Half of <c>$WATCHDOG_USEC</c>, when it is set for this process (<c>$WATCHDOG_PID</c> unset or ours).</summary>
    internal static TimeSpan? WatchdogHalf(string? microseconds, string? watchdogPid, int processId)
    {
        if (!ulong.TryParse(microseconds, NumberStyles.None, CultureInfo.InvariantCulture, out var usec) || usec == 0)
        {
            return null;
        }

        if (!string.IsNullOrEmpty(watchdogPid) && watchdogPid != processId.ToString(CultureInfo.InvariantCulture))
        {
            return null;
        }

        return TimeSpan.FromMicroseconds(usec / 2.0);
    }

    /// <summary>After a check: the first one of each host says READY=1 (start-up, or a reload finished); every one sets STATUS.</summary>
    public void CheckDone(string status, bool first) => Send(first ? $"READY=1\nSTATUS={status}" : $"STATUS={status}");

    /// <summary>SIGHUP: the settings are being read again. A refused reload is followed by <see cref="ReloadRefused"/>, a good one by the next host's first check.</summary>
    public void Reloading() =>
        Send($"RELOADING=1\nMONOTONIC_USEC={MonotonicMicroseconds().ToString(CultureInfo.InvariantCulture)}");

    /// <summary>The new settings could not be used: the running ones stay, and so the service is ready again at once.</summary>
    public void ReloadRefused(string status) => Send($"READY=1\nSTATUS={status}");

    public void Stopping() => Send("STOPPING=1\nSTATUS=Stopping: the check in progress finishes, deliveries under way are awaited");

    public void Watchdog() => Send("WATCHDOG=1");

    /// <summary>Sends <c>WATCHDOG=1</c> every <see cref="WatchdogInterval"/> until cancelled; returns at once without a watchdog.</summary>
    public async Task RunWatchdogAsync(TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (!Enabled || WatchdogInterval is not { } interval)
        {
            return;
        }

        try
        {
            while (true)
            {
                Watchdog();
                await Task.Delay(interval, timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Sends one datagram; false when no service manager listens or it could not be reached.</summary>
    internal bool Send(string state)
    {
        if (_endPoint is null)
        {
            return false;
        }

        var bytes = Encoding.UTF8.GetBytes(state.ReplaceLineEndings("\n"));
        lock (_gate)
        {
            try
            {
                _socket ??= new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
                _socket.SendTo(bytes, SocketFlags.None, _endPoint);
                return true;
            }
            catch (SocketException e)
            {
                // The manager went away or its queue is full: sd_notify is best effort. A fresh socket for the next message.
                _socket?.Dispose();
                _socket = null;
                if (!_failureLogged)
                {
                    _failureLogged = true;
                    LogUnreachable(_logger, state.Split('\n')[0], e.Message);
                }

                return false;
            }
        }
    }

    /// <summary>CLOCK_MONOTONIC in microseconds, which systemd compares with its own (Stopwatch reads that clock on Linux).</summary>
    private static long MonotonicMicroseconds() => (long)(Stopwatch.GetTimestamp() * (1_000_000.0 / Stopwatch.Frequency));

    [LoggerMessage(EventId = LogEvents.ServiceManagerNotified, Level = LogLevel.Debug,
        Message = "Telling the service manager how the monitor is doing on {Socket} (READY, STATUS, RELOADING, STOPPING; {Watchdog})")]
    private static partial void LogNotifying(ILogger logger, string socket, string watchdog);

    [LoggerMessage(EventId = LogEvents.ServiceManagerUnreachable, Level = LogLevel.Warning,
        Message = "The service manager's notification socket did not take {Message} ({Reason}); monitoring goes on. If systemd waits for READY and gives up, check the unit's NotifyAccess= and that $NOTIFY_SOCKET is its own")]
    private static partial void LogUnreachable(ILogger logger, string message, string reason);

    public void Dispose()
    {
        lock (_gate)
        {
            _socket?.Dispose();
            _socket = null;
        }
    }
}
