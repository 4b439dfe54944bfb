using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using TrafficMonitor.Configuration;

namespace TrafficMonitor.Notifications.Email;

/// <summary>
/// Delivers notifications by SMTP with MailKit: a plain-text and an HTML part. Certificate validation stays on;
/// <c>email.ca_file</c> adds trusted CAs (a private CA), it never turns checking off.
/// </summary>
public sealed class EmailChannel(EmailOptions options) : INotificationChannel
{
    private readonly X509Certificate2Collection? _trustedCas = LoadCas(options.CaFile);

    public string Id => "email";

    public string Name => $"email ({options.SmtpServer}:{options.SmtpPort})";

    public TimeSpan Timeout => options.Timeout;

    /// <summary>The same notification always gets the same Message-ID, so a resend after a crash is recognisably one message.</summary>
    public static string MessageId(Notification notification, string channelId) =>
        $"{notification.Id}.{channelId}@{MessageIdDomain(notification.HostName)}";

    public async Task SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.Sender));
        foreach (var recipient in options.Recipients)
        {
            message.To.Add(MailboxAddress.Parse(recipient));
        }

        message.Subject = notification.Subject;
        message.Date = notification.CreatedAt;
        message.MessageId = MessageId(notification, Id);
        message.Body = new BodyBuilder { TextBody = notification.Body, HtmlBody = EmailHtml.Render(notification) }.ToMessageBody();

        using var client = new SmtpClient { Timeout = (int)options.Timeout.TotalMilliseconds };
        if (_trustedCas is not null)
        {
            client.ServerCertificateValidationCallback = ValidateWithPrivateCa;
        }

        try
        {
            await client.ConnectAsync(options.SmtpServer, options.SmtpPort, SecurityFor(options), cancellationToken).ConfigureAwait(false);
            if (options.Username is { } username && options.Password is { } password)
            {
                await client.AuthenticateAsync(username, password.Reveal(), cancellationToken).ConfigureAwait(false);
            }

            await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (AuthenticationException e)
        {
            throw new DeliveryException($"the SMTP server refused the login of email.username '{options.Username}': check email.password ({e.Message})", rejected: true, inner: e);
        }
        catch (SslHandshakeException e)
        {
            throw new DeliveryException(
                $"TLS with {options.SmtpServer}:{options.SmtpPort} failed (is the certificate valid for this name and signed by a trusted CA? set email.ca_file for a private CA): {e.Message.Split('\n')[0]}",
                rejected: false, inner: e);
        }
        catch (SmtpCommandException e) when ((int)e.StatusCode >= 500)
        {
            // 5xx is the server's final word on this message (sender or recipient refused): resending cannot help.
            throw new DeliveryException($"the SMTP server refused the message ({(int)e.StatusCode}: {e.Message}): check email.sender and email.recipients", rejected: true, inner: e);
        }

        try
        {
            await client.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ProtocolException or OperationCanceledException)
        {
            // The message was accepted; a server that drops the connection before QUIT changes nothing.
        }
    }

    private bool ValidateWithPrivateCa(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        // Only an untrusted chain may be fixed by our CAs; a name mismatch or a missing certificate never is.
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_trustedCas!);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            custom.ChainPolicy.ExtraStore.AddRange(chain.ChainElements.Select(e => e.Certificate).ToArray());
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return custom.Build(leaf);
    }

    private static X509Certificate2Collection? LoadCas(string? caFile)
    {
        if (caFile is null)
        {
            return null;
        }

        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(caFile);
        return collection;
    }

    private static string MessageIdDomain(string hostName)
    {
        var domain = new string(hostName.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.').ToArray()).Trim('.');
        return domain.Length > 0 ? domain : "traffic-monitor";
    }

    private static SecureSocketOptions SecurityFor(EmailOptions options) => options.Security switch
    {
        // MailKit's Auto is exactly our auto: TLS on connect for 465, STARTTLS when offered otherwise.
        EmailSecurity.Auto => SecureSocketOptions.Auto,
        EmailSecurity.StartTls => SecureSocketOptions.StartTls,
        EmailSecurity.Ssl => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.None,
    };
}
