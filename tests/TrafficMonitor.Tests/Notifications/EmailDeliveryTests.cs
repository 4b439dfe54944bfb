using TrafficMonitor.Configuration;
using TrafficMonitor.Notifications;
using TrafficMonitor.Notifications.Email;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Notifications;

/// <summary>What issue 3 adds to email: the HTML part, Message-ID, TLS with a private CA, and refusals classified.</summary>
public sealed class EmailDeliveryTests
{
    [Fact]
    public async Task SendAsync_PlainSmtp_DeliversTextAndHtmlWithAStableMessageId()
    {
        using var smtp = new SmtpServer();
        var channel = new EmailChannel(Options(smtp.Port, EmailSecurity.None));
        var notification = Samples.Stage();

        await channel.SendAsync(notification, CancellationToken.None);

        var message = Assert.Single(smtp.WaitForMessages(1));
        Assert.Contains("X-Test-TLS: no", message, StringComparison.Ordinal);
        Assert.Contains($"Message-Id: <{EmailChannel.MessageId(notification, channel.Id)}>", message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("multipart/alternative", message, StringComparison.Ordinal);
        Assert.Contains("text/plain", message, StringComparison.Ordinal);
        Assert.Contains("text/html", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_UsageBar_ShowsUsageEveryStageAndTheCriticalPoint()
    {
        var html = EmailHtml.Render(Samples.Stage());

        Assert.Contains("class=\"used\" style=\"position:absolute;left:0;top:0;bottom:0;width:42%", html, StringComparison.Ordinal);
        Assert.Equal(9, html.Split("class=\"stage\"").Length - 1);
        Assert.Contains("class=\"critical\" title=\"critical point 90 GiB\" style=\"position:absolute;top:-4px;bottom:-4px;left:90%", html, StringComparison.Ordinal);
        Assert.Contains("40 GiB alert stage", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_StartTlsWithAPrivateCa_DeliversOverTls()
    {
        using var certificate = new TlsCertificate();
        using var smtp = new SmtpServer(new SmtpServerOptions(Tls: certificate, RequireStartTls: true));

        await new EmailChannel(Options(smtp.Port, EmailSecurity.StartTls, caFile: certificate.CertificateFile)).SendAsync(Samples.Stage(), CancellationToken.None);

        Assert.Contains("X-Test-TLS: yes", Assert.Single(smtp.WaitForMessages(1)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_ImplicitTlsWithAPrivateCa_DeliversOverTls()
    {
        using var certificate = new TlsCertificate();
        using var smtp = new SmtpServer(new SmtpServerOptions(Tls: certificate, ImplicitTls: true));

        await new EmailChannel(Options(smtp.Port, EmailSecurity.Ssl, caFile: certificate.CertificateFile)).SendAsync(Samples.Stage(), CancellationToken.None);

        Assert.Contains("X-Test-TLS: yes", Assert.Single(smtp.WaitForMessages(1)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_UntrustedCertificateWithoutCaFile_FailsAndSendsNothing()
    {
        using var certificate = new TlsCertificate();
        using var smtp = new SmtpServer(new SmtpServerOptions(Tls: certificate, RequireStartTls: true));

        var error = await Assert.ThrowsAsync<DeliveryException>(() =>
            new EmailChannel(Options(smtp.Port, EmailSecurity.StartTls)).SendAsync(Samples.Stage(), CancellationToken.None));

        Assert.Contains("email.ca_file", error.Message, StringComparison.Ordinal);
        Assert.Empty(smtp.Messages);
    }

    [Fact]
    public async Task SendAsync_AuthRefused_IsRejectedAsAConfigurationProblemWithoutThePassword()
    {
        using var smtp = new SmtpServer(new SmtpServerOptions(User: "monitor", Password: "right-pass"));

        var error = await Assert.ThrowsAsync<DeliveryException>(() =>
            new EmailChannel(Options(smtp.Port, EmailSecurity.None, "monitor", "wrong-pass-123")).SendAsync(Samples.Stage(), CancellationToken.None));

        Assert.True(error.Rejected);
        Assert.Contains("email.password", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-pass-123", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(smtp.Messages);
    }

    private static EmailOptions Options(int port, EmailSecurity security, string? user = null, string? password = null, string? caFile = null, TimeSpan? timeout = null) => new()
    {
        SmtpServer = "127.0.0.1",
        SmtpPort = port,
        Security = security,
        Username = user,
        Password = password is null ? null : new Secret(password),
        Sender = "monitor@test.invalid",
        Recipients = ["admin@test.invalid"],
        CaFile = caFile,
        Timeout = timeout ?? TimeSpan.FromSeconds(10),
    };
}
