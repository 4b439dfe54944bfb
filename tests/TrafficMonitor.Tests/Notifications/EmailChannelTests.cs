using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using TrafficMonitor.Configuration;
using TrafficMonitor.Notifications;
using TrafficMonitor.Notifications.Email;
using TrafficMonitor.Notifications.Outbox;
using TrafficMonitor.Quota;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Notifications;

/// <summary>The email channel against Debian's real aiosmtpd.</summary>
public class EmailChannelTests
{
    private static readonly QuotaSnapshot Snapshot = new(
        "web-1", new BillingPeriod(new DateOnly(2026, 11, 1), new DateOnly(2026, 12, 1)), 40_000_000_000, 15_000_000_000, 55_000_000_000,
        CountMode.Total, 100_000_000_000, 90_000_000_000, 55m, 60_000_000_000, new SizeUnits(UnitSystem.Decimal, 3));

    private static Notification Stage(bool dryRun = false) =>
        MessageComposer.StageReached(Snapshot, 50_000_000_000, "the server shuts down in 1m", dryRun, new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero));

    private static EmailOptions Options(int port, string? user = null, string? password = null, EmailSecurity security = EmailSecurity.Auto) => new()
    {
        SmtpServer = "127.0.0.1",
        SmtpPort = port,
        Username = user,
        Password = password is null ? null : new Secret(password),
        Sender = "tm@web-1.test",
        Recipients = ["ops@example.test", "boss@example.test"],
        Security = security,
        Timeout = TimeSpan.FromSeconds(10),
    };

    [Fact]
    public async Task SendAsync_PlainServer_DeliversTheStageMessage()
    {
        using var server = new SmtpServer();
        await new EmailChannel(Options(server.Port)).SendAsync(Stage(), CancellationToken.None);

        var message = Assert.Single(server.WaitForMessages(1));
        Assert.Contains("X-Test-Rcpt-To: ops@example.test,boss@example.test", message, StringComparison.Ordinal);
        Assert.Contains("Subject: [traffic-monitor] web-1: 55 GB used (55%) of 100 GB", message, StringComparison.Ordinal);
        Assert.Contains("passed the 50 GB alert stage", message, StringComparison.Ordinal);
        Assert.Contains("Next stage: 60 GB", message, StringComparison.Ordinal);
        Assert.Contains("Period:   2026-11-01 to 2026-11-30", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_DryRun_IsMarkedInSubjectAndBody()
    {
        using var server = new SmtpServer();
        await new EmailChannel(Options(server.Port)).SendAsync(Stage(dryRun: true), CancellationToken.None);
        var message = Assert.Single(server.WaitForMessages(1));
        Assert.Contains("[DRY RUN]", message, StringComparison.Ordinal);
        Assert.Contains("no action was taken", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_WithCredentials_Authenticates()
    {
        using var server = new SmtpServer(new SmtpServerOptions(User: "alerts", Password: "pa55-word"));
        await new EmailChannel(Options(server.Port, "alerts", "pa55-word")).SendAsync(Stage(), CancellationToken.None);
        Assert.Contains("X-Test-Auth: alerts", Assert.Single(server.WaitForMessages(1)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_WrongPassword_FailsWithoutRevealingIt()
    {
        using var server = new SmtpServer(new SmtpServerOptions(User: "alerts", Password: "pa55-word"));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => new EmailChannel(Options(server.Port, "alerts", "wrong-s3cret")).SendAsync(Stage(), CancellationToken.None));
        Assert.DoesNotContain("wrong-s3cret", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task SendAsync_StartTlsWithAnUntrustedCertificate_IsRefused()
    {
        using var certificate = new TlsCertificate();
        using var server = new SmtpServer(new SmtpServerOptions(Tls: certificate, RequireStartTls: true));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => new EmailChannel(Options(server.Port, security: EmailSecurity.StartTls)).SendAsync(Stage(), CancellationToken.None));
        Assert.Contains("certificate", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task Dispatcher_HungServer_CostsAtMostTheChannelTimeout()
    {
        using var silent = new SilentServer();
        var channel = new EmailChannel(new EmailOptions
        {
            SmtpServer = "127.0.0.1", SmtpPort = silent.Port, Sender = "tm@x.test", Recipients = ["ops@x.test"], Timeout = TimeSpan.FromSeconds(2),
        });
        var dispatcher = new NotificationDispatcher(
            [channel],
            new OutboxStore(Path.GetTempPath(), persist: false, TimeProvider.System, NullLogger<OutboxStore>.Instance),
            new NotificationsOptions(),
            TimeProvider.System,
            NullLogger<NotificationDispatcher>.Instance);

        var clock = Stopwatch.StartNew();
        var report = await dispatcher.SendNowAsync(Stage(), CancellationToken.None);

        Assert.False(report.AllSucceeded);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(4));
    }
}
