namespace TrafficMonitor.Hosting;

/// <summary>The event id of every log line the program writes, in one place.</summary>
/// <remarks>
/// These ids are part of the product's interface: operators filter journald and their log pipelines by them.
/// Never change an id's number or give it another meaning, and never reuse one: a retired event keeps its constant,
/// marked <c>[Obsolete("Retired, do not reuse")]</c>, so that its number stays taken.
/// A new event takes the next free id in its area's range; a new area takes the next unused decade of the 600s.
/// LogEventsTests fails when two constants share a number or a [LoggerMessage] uses an id that is not here.
/// </remarks>
internal static class LogEvents
{
    // 1–9: the check (Monitoring/QuotaCheck): reading the usage, the billing period, the state.
    public const int UsageUnavailable = 1;
    public const int FirstUsage = 2;
    public const int NewPeriod = 3;
    public const int StateUnavailable = 4;
    public const int Usage = 5;
    public const int ClockBehind = 6;

    // 10–19: enforcement (Enforcement/Enforcer): the critical action and undoing steps at a new period.
    public const int ActionDeferred = 10;
    public const int DryRunAction = 11;
    public const int RunningAction = 12;
    public const int ActionSucceeded = 13;
    public const int ActionFailed = 14;
    public const int ActionAgain = 15;
    [Obsolete("Retired, do not reuse: undoing a step is logged by the 900s with its reason")]
    public const int DryRunRevert = 16;
    [Obsolete("Retired, do not reuse: undoing a step is logged by the 900s with its reason")]
    public const int Reverted = 17;
    [Obsolete("Retired, do not reuse: undoing a step is logged by the 900s with its reason")]
    public const int RevertFailed = 18;
    public const int ActionDeferredUnknown = 19;

    // 20–29: the monitor service's life (Monitoring/MonitorService).
    public const int MonitoringStarted = 20;
    public const int MonitoringStopped = 21;
    public const int CheckCrashed = 22;

    // 50–59: the command line and the settings it loads (Cli).
    public const int SettingsLoaded = 50;
    public const int SettingsWarning = 51;
    public const int DryRun = 52;

    // 100–199: the vnStat usage source (Usage/VnStat).
    public const int VnStatInterfaceSkipped = 100;
    public const int VnStatStale = 101;

    // 200–299: notifications raised and sent (Notifications/NotificationDispatcher).
    public const int Notification = 200;
    public const int NoNotificationChannel = 201;
    public const int NotificationDelivered = 202;
    public const int NotificationDeliveryFailed = 203;

    // 300–399: the state file (State).
    public const int StateUnreadable = 300;
    public const int StateUsingFallback = 310;
    public const int StateFallbackFailed = 311;

    // 400–499: the notification outbox: its file (400), queuing and retrying (410s), the delivery pump (460).
    public const int OutboxUnreadable = 400;
    public const int OutboxNotKept = 401;
    public const int NotificationAlreadyQueued = 410;
    public const int NotificationRetryScheduled = 411;
    public const int NotificationRejected = 412;
    public const int NotificationExpired = 413;
    public const int DeliveryRoundFailed = 460;

    // 600–699: one decade per feature added after the first release.
    // 600s: the traffic ledger file (Usage/SystemCounters/LedgerStore).
    public const int LedgerDamaged = 600;
    public const int LedgerUsingPrevious = 601;

    // 610s: counting from the system's interface counters (Usage/SystemCounters/SystemUsageSource).
    public const int LedgerBaseline = 610;
    public const int LedgerCountedSinceBoot = 611;
    public const int NewBoot = 612;
    public const int CountersReset = 613;
    public const int CounterWrapped = 614;
    public const int InterfaceAppeared = 615;
    public const int LedgerFlushFailed = 616;
    public const int LedgerCheckpointFailed = 617;

    // 620s: the usage calibration set by set-usage (Usage/Calibration).
    public const int CalibrationUnreadable = 620;

    // 630s: provider auto choosing a usage source (Usage/AutoUsageSource).
    public const int AutoChoseVnStat = 630;
    public const int AutoChoseSystem = 631;

    // 640s: the check cadence near a threshold (Monitoring/MonitorService).
    public const int CadenceTightened = 640;
    public const int CadenceRelaxed = 641;

    // 650s: live vnStat, the kernel's counters added to vnStat's numbers (Usage/VnStat).
    public const int VnStatLive = 650;
    public const int VnStatNotLive = 651;

    // 760s: one owner per state directory, and SIGHUP reloading the settings (State/StateDirectoryLock, Hosting/MonitorDaemon, Cli).
    public const int StateLockFallback = 760;
    public const int StateUnlocked = 761;
    public const int SettingsReloaded = 762;
    public const int ReloadProblem = 763;
    public const int ReloadRefused = 764;
    public const int ReloadStateDirectoryChanged = 765;
    public const int ReloadSettingsWarning = 766;
    public const int AlreadyRunning = 767;
    public const int OnceSkipped = 768;
    public const int HangupIgnored = 769;

    // 800–819: the provider's own traffic meter read through its API (Usage/ProviderApi, Cli test-provider).
    public const int ProviderFirstReading = 800;
    public const int ProviderReading = 801;
    public const int ProviderDegraded = 802;
    public const int ProviderStillFailing = 803;
    public const int ProviderRecovered = 804;
    public const int ProviderDisagrees = 805;
    public const int ProviderRecordUnreadable = 806;
    public const int ProviderRecordNotSaved = 807;
    // 840–859: the metrics endpoint and status page (Metrics).
    public const int MetricsListening = 840;
    public const int MetricsBindFailed = 841;
    public const int MetricsAcceptFailed = 842;
    public const int MetricsConnectionEnded = 843;
    public const int MetricsRequestFailed = 844;
    // 820s: the status screen, the forecast and the period history (Status, Quota/Forecast, State/HistoryStore, Monitoring/QuotaCheck).
    public const int HistoryUnreadable = 820;
    public const int HistoryNotWritten = 821;
    public const int PeriodRecorded = 822;
    // 860s: the service manager (Hosting/Systemd): sd_notify, the journal.
    public const int ServiceManagerNotified = 860;
    public const int ServiceManagerUnreachable = 861;
    // 900–929: the enforcement ladder (actions.rules; Enforcement/Enforcer, Enforcement/EnforcementRequests, Cli pause/resume/revert-all).
    public const int LadderStepApplying = 900;
    public const int LadderStepApplied = 901;
    public const int LadderStepFailed = 902;
    public const int LadderStepReapplying = 903;
    public const int LadderStepReverted = 904;
    public const int LadderStepRevertFailed = 905;
    public const int LadderDryRunApply = 906;
    public const int LadderDryRunRevert = 907;
    public const int LadderStepHeld = 908;
    public const int LadderStepCheckFailed = 909;
    public const int LadderStepRepaired = 910;
    public const int EnforcementPaused = 911;
    public const int EnforcementResumed = 912;
    public const int EnforcementPauseEnded = 913;
    public const int EnforcementRevertAll = 914;
    public const int EnforcementRequestUnreadable = 915;
    // 930–949: the nftables steps (Enforcement/Linux).
    public const int KernelQuotaResized = 930;
    public const int KernelQuotaRecreated = 931;
    // 950–959: the throttle step (Enforcement/Linux/ThrottleStep): tc qdiscs and ifb devices.
    public const int ThrottleApplied = 950;
    public const int ThrottleRemoved = 951;
    public const int ThrottleNotOurs = 952;
    public const int ThrottleRepaired = 953;
}
