using TrafficMonitor.Configuration;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Configuration;

public sealed class NotificationSettingsTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Parse_NoNotificationSections_UsesTheDefaults()
    {
        var settings = Parse(string.Empty);

        Assert.Empty(settings.Webhooks);
        Assert.Null(settings.Telegram);
        Assert.Equal(TimeSpan.FromDays(3), settings.Notifications.Expire);
        Assert.Equal(3, settings.Notifications.DegradedAfter);
        Assert.Null(settings.Notifications.DailyReport);
    }

    [Fact]
    public void Parse_EveryChannel_ReadsThem()
    {
        var settings = Parse("""
            webhooks:
              - url: https://discord.com/api/webhooks/1/abc
                format: discord
              - url: https://ntfy.sh/my-topic
                format: ntfy
                headers:
                  Authorization: Bearer tk
                timeout: 5s
            telegram:
              bot_token: "1:abc"
              chat_id: "-100123"
            notifications:
              expire: 12h
              degraded_after: 5
              daily_report: "08:30"
            """);

        Assert.Equal([WebhookFormat.Discord, WebhookFormat.Ntfy], settings.Webhooks.Select(w => w.Format));
        Assert.Equal("Bearer tk", settings.Webhooks[1].Headers["authorization"].Reveal());
        Assert.Equal(TimeSpan.FromSeconds(5), settings.Webhooks[1].Timeout);
        Assert.Equal("https://discord.com/********", settings.Webhooks[0].DisplayUrl);
        Assert.Equal(new Uri("https://api.telegram.org"), settings.Telegram!.ApiUrl);
        Assert.Equal(TimeSpan.FromHours(12), settings.Notifications.Expire);
        Assert.Equal(5, settings.Notifications.DegradedAfter);
        Assert.Equal(new TimeOnly(8, 30), settings.Notifications.DailyReport);
    }

    [Fact]
    public void Parse_Mistakes_AreAllReportedByKeyPathWithoutEchoingUrls()
    {
        var error = Assert.Throws<ConfigException>(() => Parse("""
            webhooks:
              - url: "ftp://example.org/secret-path"
              - url: https://example.org/hook
                format: teams
                header: {}
            telegram:
              bot_token: "1:abc"
            notifications:
              daily_report: "8 am"
              expire: 0s
            """));

        var paths = error.Problems.Select(p => p.Path).ToList();
        Assert.Contains("webhooks[0].url", paths);
        Assert.Contains("webhooks[1].format", paths);
        Assert.Contains("webhooks[1].header", paths);
        Assert.Contains("telegram.chat_id", paths);
        Assert.Contains("notifications.daily_report", paths);
        Assert.Contains("notifications.expire", paths);
        Assert.DoesNotContain("secret-path", error.Message, StringComparison.Ordinal);
        Assert.Contains("did you mean 'headers'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SecretsFromFilesAndEnvironment_AreUsedAndMasked()
    {
        var tokenFile = _directory.Write("token", "1:from-file\n");
        var environment = new Dictionary<string, string> { ["TRAFFIC_MONITOR_SMTP_PASSWORD"] = "from-env" };

        var settings = Parse($"""
            email:
              smtp_server: smtp.test.invalid
              username: monitor
              sender: monitor@test.invalid
              recipients: [admin@test.invalid]
            telegram:
              bot_token_file: "{tokenFile}"
              chat_id: "42"
            """, environment);

        Assert.Equal("from-env", settings.Email!.Password!.Reveal());
        Assert.Equal("1:from-file", settings.Telegram!.BotToken.Reveal());
        var printed = SettingsPrinter.Format(settings);
        Assert.DoesNotContain("from-env", printed, StringComparison.Ordinal);
        Assert.DoesNotContain("from-file", printed, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WebhookUrlFromAFile_IsUsedAndAPlaceholderHostIsWarnedAbout()
    {
        var urlFile = _directory.Write("hook-url", "https://hooks.example.com/services/T0/B0/secret\n");

        var settings = Parse($"""
            webhooks:
              - url_file: "{urlFile}"
                format: slack
            """);

        Assert.Equal("https://hooks.example.com/services/T0/B0/secret", settings.Webhooks[0].Url.Reveal());
        var warning = Assert.Single(SettingsAdvisor.Warnings(settings), w => w.StartsWith("webhooks[0].url", StringComparison.Ordinal));
        Assert.DoesNotContain("secret", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WebhookUrlFileMissing_IsAProblemAtThatKey()
    {
        var error = Assert.Throws<ConfigException>(() => Parse($"""
            webhooks:
              - url_file: "{_directory.Combine("nope")}"
            """));

        Assert.Equal("webhooks[0].url_file", Assert.Single(error.Problems).Path);
    }

    [Fact]
    public void Parse_PasswordAndPasswordFile_IsAProblem()
    {
        var file = _directory.Write("password", "x");

        var error = Assert.Throws<ConfigException>(() => Parse($"""
            email:
              smtp_server: smtp.test.invalid
              username: monitor
              password: inline
              password_file: "{file}"
              sender: monitor@test.invalid
              recipients: [admin@test.invalid]
            """));

        Assert.Contains(error.Problems, p => p.Path == "email.password_file");
    }

    [Theory]
    [InlineData("missing.pem")]
    [InlineData("not-a-certificate.pem")]
    public void Parse_CaFileThatIsNoCertificate_IsAProblem(string name)
    {
        _directory.Write("not-a-certificate.pem", "hello");

        var error = Assert.Throws<ConfigException>(() => Parse($"""
            email:
              smtp_server: smtp.test.invalid
              sender: monitor@test.invalid
              recipients: [admin@test.invalid]
              ca_file: "{_directory.Combine(name)}"
            """));

        Assert.Contains(error.Problems, p => p.Path == "email.ca_file");
    }

    private TrafficMonitorSettings Parse(string extra, Dictionary<string, string>? environment = null) =>
        ConfigLoader.Parse(TestSettings.Yaml(_directory.Combine("state"), extra: extra), "test.yaml", _directory.Path,
            name => environment?.GetValueOrDefault(name));
}
