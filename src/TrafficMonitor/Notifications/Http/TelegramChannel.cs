using System.Net.Http.Headers;
using System.Text;
using TrafficMonitor.Configuration;

namespace TrafficMonitor.Notifications.Http;

/// <summary>Messages one Telegram chat through the Bot API's sendMessage; the token is in the URL path, so the URL is never shown.</summary>
public sealed class TelegramChannel(TelegramOptions options, HttpClient client, TimeProvider timeProvider) : INotificationChannel
{
    public string Id => "telegram";

    public string Name => $"telegram (chat {options.ChatId} via {options.ApiUrl.Scheme}://{options.ApiUrl.Authority})";

    public TimeSpan Timeout => options.Timeout;

    public async Task SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        var token = options.BotToken.Reveal();
        var url = new Uri(options.ApiUrl, $"{options.ApiUrl.AbsolutePath.TrimEnd('/')}/bot{token}/sendMessage");
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(WebhookPayloads.Telegram(notification, options.ChatId), Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        await HttpDelivery.SendAsync(client, request, [token, url.ToString()], timeProvider, cancellationToken).ConfigureAwait(false);
    }
}
