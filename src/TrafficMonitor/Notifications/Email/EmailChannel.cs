using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using TrafficMonitor.Configuration;

namespace TrafficMonitor.Notifications.Email;

/// <summary>Delivers notifications by SMTP with MailKit. Certificate validation stays on.</summary>
public sealed class EmailChannel(EmailOptions options) : INotificationChannel
{
    public string Name => $"email ({options.SmtpServer}:{options.SmtpPort})";

    public TimeSpan Timeout => options.Timeout;

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
        message.Body = new TextPart("plain") { Text = notification.Body };

        using var client = new SmtpClient { Timeout = (int)options.Timeout.TotalMilliseconds };
        await client.ConnectAsync(options.SmtpServer, options.SmtpPort, SecurityFor(options), cancellationToken).ConfigureAwait(false);
        if (options.Username is { } username && options.Password is { } password)
        {
            await client.AuthenticateAsync(username, password.Reveal(), cancellationToken).ConfigureAwait(false);
        }

        await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
        await client.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
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
