namespace TrafficMonitor.Configuration;

/// <summary>The <c>telegram</c> section: a bot that messages one chat.</summary>
public sealed class TelegramOptions
{
    public const string SectionName = "telegram";
    public const string BotTokenEnvironmentVariable = "TRAFFIC_MONITOR_TELEGRAM_BOT_TOKEN";
    public static readonly Uri DefaultApiUrl = new("https://api.telegram.org");
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan MaxTimeout = EmailOptions.MaxTimeout;

    public required Secret BotToken { get; init; }

    public required string ChatId { get; init; }

    public Uri ApiUrl { get; init; } = DefaultApiUrl;

    public TimeSpan Timeout { get; init; } = DefaultTimeout;
}
