namespace TrafficMonitor.Configuration;

public enum EmailSecurity
{
    /// <summary>TLS on connect for port 465, STARTTLS when the server offers it otherwise.</summary>
    Auto,
    StartTls,
    Ssl,
    None,
}

/// <summary>The <c>email</c> section, compatible with the original tool's keys.</summary>
public sealed class EmailOptions
{
    public const string SectionName = "email";
    public const int DefaultPort = 587;
    public const string PasswordEnvironmentVariable = "TRAFFIC_MONITOR_SMTP_PASSWORD";
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Longer than any SMTP exchange takes; the SMTP client counts its timeout in int milliseconds (24.8 days).</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    public required string SmtpServer { get; init; }

    public int SmtpPort { get; init; } = DefaultPort;

    public string? Username { get; init; }

    public Secret? Password { get; init; }

    public required string Sender { get; init; }

    public required IReadOnlyList<string> Recipients { get; init; }

    public EmailSecurity Security { get; init; } = EmailSecurity.Auto;

    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>A PEM file of CA certificates trusted in addition to the system's (a private CA); validation stays on.</summary>
    public string? CaFile { get; init; }
}
