namespace TrafficMonitor.Cli;

/// <summary>Exit codes, from sysexits.h where one fits, so scripts and systemd can tell failures apart.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The critical action failed; it is retried at the next check.</summary>
    public const int ActionFailed = 1;

    /// <summary>EX_USAGE: the command line is wrong (not to be confused with traffic usage, <see cref="UsageUnavailable"/>).</summary>
    public const int BadCommandLine = 64;

    /// <summary>EX_UNAVAILABLE: usage could not be read, so nothing was decided.</summary>
    public const int UsageUnavailable = 69;

    /// <summary>EX_SOFTWARE: a bug; the log has the details.</summary>
    public const int Software = 70;

    /// <summary>EX_TEMPFAIL: test-notify could not deliver through at least one channel.</summary>
    public const int NotificationFailed = 75;

    /// <summary>
    /// EX_TEMPFAIL: <c>run</c> found another traffic-monitor owning the state directory (its PID is in the message).
    /// A temporary condition, not a fault of this process or its settings: it clears when that process stops.
    /// </summary>
    public const int AlreadyRunning = 75;

    /// <summary>EX_CANTCREAT: the state file cannot be read or written.</summary>
    public const int StateUnavailable = 73;

    /// <summary>EX_CONFIG: the settings file is missing or invalid.</summary>
    public const int Config = 78;

    /// <summary>install-service / uninstall-service: a service manager's command failed (EX_OSERR).</summary>
    public const int ServiceManagerFailed = 71;

    /// <summary>install-service / uninstall-service: not allowed to write the service's files; run as root (EX_NOPERM).</summary>
    public const int NoPermission = 77;
}
