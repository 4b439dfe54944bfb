using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TrafficMonitor.Configuration;
using TrafficMonitor.Hosting;
using TrafficMonitor.Monitoring;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Hosting;

public sealed class MonitorHostTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    // A stop waits for vnStat (30 s), two delivery rounds of the slowest channel plus a second each, the action (60 s) and 10 s more.
    [Theory]
    [InlineData("", 102)]
    [InlineData("webhooks:\n  - url: http://127.0.0.1:9/a\n    timeout: 12s\n", 126)]
    [InlineData("email:\n  smtp_server: 127.0.0.1\n  sender: a@b.test\n  recipients: [c@b.test]\n  timeout: 45s\n"
        + "webhooks:\n  - url: http://127.0.0.1:9/a\n    timeout: 12s\n  - url: http://127.0.0.1:9/b\n    timeout: 5s\n"
        + "telegram:\n  bot_token: \"1:x\"\n  chat_id: \"42\"\n  timeout: 7s\n", 192)]
    [InlineData("email:\n  smtp_server: 127.0.0.1\n  sender: a@b.test\n  recipients: [c@b.test]\n  timeout: 5s\n"
        + "telegram:\n  bot_token: \"1:x\"\n  chat_id: \"42\"\n  timeout: 50s\n", 202)]
    public void Build_ShutdownTimeout_CoversTwoRoundsOfTheSlowestChannel(string channels, int expectedSeconds)
    {
        var path = _directory.Write("settings.yaml", TestSettings.Yaml(_directory.Combine("state"), extra: channels));
        var settings = ConfigLoader.Load(path, _directory.Combine("state"), _ => null);

        using var host = MonitorHost.Build(settings, RunMode.ReadOnly, LogLevel.None);

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), host.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }
}
