using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using TrafficMonitor.Configuration.Yaml;
using static TrafficMonitor.Configuration.Sections.SettingsText;

namespace TrafficMonitor.Configuration.Sections;

/// <summary>The optional <c>email</c> section, compatible with the original tool's keys.</summary>
internal static class EmailSection
{
    private static readonly Dictionary<string, EmailSecurity> SecurityModes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["auto"] = EmailSecurity.Auto,
        ["starttls"] = EmailSecurity.StartTls,
        ["ssl"] = EmailSecurity.Ssl,
        ["none"] = EmailSecurity.None,
    };

    private static readonly Dictionary<string, string> Hints = new(StringComparer.Ordinal)
    {
        ["use_tls"] = "not supported (it meant TLS on connect, which fails on port 587): use email.security: auto, starttls, ssl or none",
        ["recipient"] = "unknown key; did you mean 'recipients' (a list)?",
    };

    /// <param name="getEnvironment">Where <see cref="EmailOptions.PasswordEnvironmentVariable"/> is looked up.</param>
    /// <returns>Null when the file has no email section, or it is invalid (the problems say why).</returns>
    public static EmailOptions? Read(SectionReader top, Func<string, string?> getEnvironment)
    {
        var section = top.Section(EmailOptions.SectionName);
        var server = section.String("smtp_server");
        var port = section.Int("smtp_port", 1, 65535);
        var username = section.String("username");
        var password = section.Secret("password", "password_file",
            section.Exists && !string.IsNullOrEmpty(username) ? getEnvironment(EmailOptions.PasswordEnvironmentVariable) : null);
        var caFile = section.String("ca_file");
        var sender = section.String("sender");
        var recipients = section.StringList("recipients");
        var security = section.Choice("security", SecurityModes);
        var timeout = section.Duration("timeout", EmailOptions.MaxTimeout);
        section.ReportUnknownKeys(Hints);
        if (!section.Exists)
        {
            return null;
        }

        var ok = true;
        if (string.IsNullOrWhiteSpace(server))
        {
            ok &= section.Require("smtp_server", "the SMTP server's host name, e.g. smtp.example.com");
        }

        if (string.IsNullOrWhiteSpace(sender))
        {
            ok &= section.Require("sender", "the From address, e.g. traffic-monitor@example.com");
        }

        ok &= CheckRecipients(section, recipients);
        if (password is not null && string.IsNullOrEmpty(username))
        {
            section.Problem(section.Has("password_file") ? "password_file" : "password",
                "is set but email.username is not: AUTH needs both (or remove the password to send without AUTH)");
            ok = false;
        }

        if (!string.IsNullOrEmpty(username) && password is null)
        {
            section.Problem("username", $"is set but no password is: AUTH needs both. Set email.password, email.password_file or {EmailOptions.PasswordEnvironmentVariable} (or remove the username to send without AUTH)");
            ok = false;
        }

        if (caFile is not null && CaFileProblem(caFile) is { } caProblem)
        {
            section.Problem("ca_file", caProblem);
            ok = false;
        }

        ok &= section.Positive("timeout", timeout);
        return ok
            ? new EmailOptions
            {
                SmtpServer = server!.Trim(),
                SmtpPort = port ?? EmailOptions.DefaultPort,
                Username = string.IsNullOrEmpty(username) ? null : username,
                Password = password,
                Sender = sender!.Trim(),
                Recipients = recipients!,
                Security = security ?? EmailSecurity.Auto,
                Timeout = timeout ?? EmailOptions.DefaultTimeout,
                CaFile = caFile,
            }
            : null;
    }

    public static void Print(EmailOptions? email, StringBuilder text)
    {
        if (email is null)
        {
            text.AppendLine("email: (none)");
            return;
        }

        text.AppendLine("email:");
        Line(text, 1, "smtp_server", email.SmtpServer);
        Line(text, 1, "smtp_port", email.SmtpPort.ToString(CultureInfo.InvariantCulture));
        Line(text, 1, "security", email.Security.ToString().ToLowerInvariant());
        Line(text, 1, "username", email.Username ?? "(none: no AUTH)");
        Line(text, 1, "password", email.Password is null ? "(none)" : email.Password.ToString());
        Line(text, 1, "sender", email.Sender);
        Line(text, 1, "recipients", $"[{string.Join(", ", email.Recipients)}]");
        Line(text, 1, "timeout", DurationParser.Format(email.Timeout));
        Line(text, 1, "ca_file", email.CaFile ?? "(none: the system's trusted CAs)");
    }

    public static IEnumerable<string> Warnings(EmailOptions? email)
    {
        if (email is null)
        {
            yield break;
        }

        if (Placeholder.IsHost(email.SmtpServer))
        {
            yield return $"email.smtp_server: {email.SmtpServer} is a placeholder, so alerts cannot be delivered: set your SMTP server";
        }

        foreach (var recipient in email.Recipients.Where(r => Placeholder.IsHost(r[(r.IndexOf('@', StringComparison.Ordinal) + 1)..])))
        {
            yield return $"email.recipients: {recipient} is a placeholder address: set the admin's address";
        }
    }

    private static bool CheckRecipients(SectionReader section, IReadOnlyList<string>? recipients)
    {
        if (recipients is null)
        {
            return section.Require("recipients", "a list of addresses to alert, e.g. [admin@example.com]");
        }

        if (recipients.Count == 0)
        {
            section.Problem("recipients", "is empty: list at least one address to alert, e.g. [admin@example.com]");
            return false;
        }

        var ok = true;
        foreach (var recipient in recipients.Where(r => !r.Contains('@', StringComparison.Ordinal)))
        {
            section.Problem("recipients", $"{Quoted.Value(recipient)} is not an email address");
            ok = false;
        }

        return ok;
    }

    private static string? CaFileProblem(string caFile)
    {
        const string What = "name a PEM file with the CA certificate(s) that signed the SMTP server's certificate";
        try
        {
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPemFile(caFile);
            return certificates.Count == 0 ? $"{Quoted.Value(caFile)} holds no PEM certificate: {What}" : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            return $"{Quoted.Value(caFile)} cannot be read as PEM certificates ({Quoted.Reason(e)}): {What}";
        }
    }
}
