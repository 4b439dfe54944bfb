using System.Text;
using TrafficMonitor.Configuration.Yaml;
using static TrafficMonitor.Configuration.Sections.SettingsText;

namespace TrafficMonitor.Configuration.Sections;

/// <summary>The optional <c>telegram</c> section: a bot that messages one chat.</summary>
internal static class TelegramSection
{
    /// <param name="getEnvironment">Where <see cref="TelegramOptions.BotTokenEnvironmentVariable"/> is looked up.</param>
    /// <returns>Null when the file has no telegram section, or it is invalid (the problems say why).</returns>
    public static TelegramOptions? Read(SectionReader top, Func<string, string?> getEnvironment)
    {
        var section = top.Section(TelegramOptions.SectionName);
        var token = section.Secret("bot_token", "bot_token_file", section.Exists ? getEnvironment(TelegramOptions.BotTokenEnvironmentVariable) : null);
        var chatId = section.String("chat_id");
        var apiUrl = section.String("api_url");
        var timeout = section.Duration("timeout", TelegramOptions.MaxTimeout);
        section.ReportUnknownKeys();
        if (!section.Exists)
        {
            return null;
        }

        var ok = true;
        if (token is null)
        {
            ok &= section.Require("bot_token", $"the bot's token from @BotFather (or set telegram.bot_token_file or {TelegramOptions.BotTokenEnvironmentVariable})");
        }

        if (string.IsNullOrWhiteSpace(chatId))
        {
            ok &= section.Require("chat_id", "the chat to message, e.g. 123456789 or @mychannel");
        }

        ok &= section.HttpUrl("api_url", apiUrl, $"{Quoted.Value(UrlMask.HideCredentials(apiUrl ?? string.Empty))} is not an http:// or https:// address (default: {TelegramOptions.DefaultApiUrl})", out var api);
        ok &= section.Positive("timeout", timeout);
        return ok
            ? new TelegramOptions
            {
                BotToken = token!,
                ChatId = chatId!.Trim(),
                ApiUrl = api ?? TelegramOptions.DefaultApiUrl,
                Timeout = timeout ?? TelegramOptions.DefaultTimeout,
            }
            : null;
    }

    public static void Print(TelegramOptions? telegram, StringBuilder text)
    {
        if (telegram is null)
        {
            text.AppendLine("telegram: (none)");
            return;
        }

        text.AppendLine("telegram:");
        Line(text, 1, "bot_token", telegram.BotToken.ToString());
        Line(text, 1, "chat_id", telegram.ChatId);
        Line(text, 1, "api_url", UrlMask.HideCredentials(telegram.ApiUrl));
        Line(text, 1, "timeout", DurationParser.Format(telegram.Timeout));
    }
}
