using TrafficMonitor.Configuration;
using TrafficMonitor.Platform;

namespace TrafficMonitor.Tests.Platform;

public sealed class ProcessRunnerTests
{
    [Theory]
    [InlineData(EmailOptions.PasswordEnvironmentVariable)]
    [InlineData(TelegramOptions.BotTokenEnvironmentVariable)]
    public void IsWithheld_EverySecretVariableTheMonitorReads_IsKeptFromChildren(string name) =>
        Assert.True(ProcessRunner.IsWithheld(name));

    [Theory]
    [InlineData(ConfigLocator.EnvironmentVariable)]
    [InlineData("PATH")]
    [InlineData("LANG")]
    public void IsWithheld_VariablesThatHoldNoSecret_AreKept(string name) =>
        Assert.False(ProcessRunner.IsWithheld(name));

    [Fact]
    public async Task RunAsync_ChildOutlivesItsTimeout_SaysHowLongItWaitedAsADuration()
    {
        var error = await Assert.ThrowsAsync<TimeoutException>(
            () => new ProcessRunner().RunAsync(["sleep", "5"], TimeSpan.FromMilliseconds(250), CancellationToken.None));

        Assert.Equal("'sleep' did not finish within 250ms and was stopped", error.Message);
    }
}
