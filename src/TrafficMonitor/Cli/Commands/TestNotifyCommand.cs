using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using TrafficMonitor.Monitoring;
using TrafficMonitor.Notifications;

namespace TrafficMonitor.Cli.Commands;

/// <summary><c>test-notify</c>: one test message through every channel, a line per result; exit 75 when any failed.</summary>
internal static class TestNotifyCommand
{
    public static Command Create(SettingsAction withSettings)
    {
        var command = new Command("test-notify", "Send a test message through every configured channel and print each result");
        command.SetAction(withSettings(SendAsync));
        return command;
    }

    private static async Task<int> SendAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var (output, error) = (context.Output, context.Error);
        // A dry run keeps the outbox in memory: a test message is sent once, now, and never queued.
        await using var services = context.BuildServices(RunMode.ReadOnly);
        var dispatcher = services.GetRequiredService<NotificationDispatcher>();
        if (dispatcher.Channels.Count == 0)
        {
            await error.WriteLineAsync("traffic-monitor: no notification channel is configured: add an email, webhooks or telegram section").ConfigureAwait(false);
            return ExitCodes.Config;
        }

        var notification = MessageComposer.Test(Environment.MachineName, null, services.GetRequiredService<TimeProvider>().GetUtcNow());
        var report = await dispatcher.SendNowAsync(notification, cancellationToken).ConfigureAwait(false);
        foreach (var result in report.Results)
        {
            await output.WriteLineAsync(result.Succeeded
                ? $"ok      {result.Channel}"
                : $"FAILED  {result.Channel}: {result.Error}{(result.Rejected ? " (a configuration problem)" : string.Empty)}").ConfigureAwait(false);
        }

        var failed = report.Results.Where(r => !r.Succeeded).Select(r => r.Channel).ToList();
        if (failed.Count > 0)
        {
            await error.WriteLineAsync($"traffic-monitor: {failed.Count} of {report.Results.Count} channel(s) failed: {string.Join(", ", failed)}").ConfigureAwait(false);
            return ExitCodes.NotificationFailed;
        }

        return ExitCodes.Success;
    }
}
