using TrafficMonitor.Configuration;

namespace TrafficMonitor.Tests.Notifications;

public sealed class UrlMaskTests
{
    [Theory]
    [InlineData("https://hooks.example.com/services/T0KEN", "https://hooks.example.com/********")]
    [InlineData("http://127.0.0.1:8080/hook?token=x", "http://127.0.0.1:8080/********")]
    [InlineData("https://user:pass@ntfy.example.com/topic", "https://********@ntfy.example.com/********")]
    [InlineData("https://:token@ntfy.example.com/topic", "https://********@ntfy.example.com/********")]
    [InlineData("not a url with user:pass@", "********")]
    public void Mask_WebhookUrl_ShowsOnlySchemeHostPortAndThatCredentialsExist(string url, string expected) =>
        Assert.Equal(expected, UrlMask.Mask(url));

    [Theory]
    [InlineData("https://api.telegram.org/", "https://api.telegram.org/")]
    [InlineData("http://proxy-user:proxy-pass@127.0.0.1:9000/tg/", "http://********@127.0.0.1:9000/tg/")]
    public void HideCredentials_ApiUrl_KeepsThePathAndMasksOnlyCredentials(string url, string expected) =>
        Assert.Equal(expected, UrlMask.HideCredentials(new Uri(url)));

    [Fact]
    public void HideCredentials_TextThatIsNoUrl_StillMasksWhatLooksLikeCredentials() =>
        Assert.Equal("ftp://********@host/x", UrlMask.HideCredentials("ftp://me:secret@host/x"));
}
