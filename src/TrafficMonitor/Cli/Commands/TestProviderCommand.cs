using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using TrafficMonitor.Configuration;
using TrafficMonitor.Monitoring;
using TrafficMonitor.Usage.ProviderApi;

namespace TrafficMonitor.Cli.Commands;

/// <summary>
/// <c>test-provider</c>: asks the provider's API once and prints what it read (secrets masked); exit 69 when it
/// could not. It keeps nothing, so the running monitor's polling is not disturbed.
/// </summary>
internal static class TestProviderCommand
{
    public static Command Create(SettingsAction withSettings)
    {
        var command = new Command("test-provider", "Read the provider's traffic meter once (provider_api) and print what it says");
        command.SetAction(withSettings(TestAsync));
        return command;
    }

    private static async Task<int> TestAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var (output, error) = (context.Output, context.Error);
        if (context.Settings.ProviderApi is not { } api)
        {
            await error.WriteLineAsync("traffic-monitor: there is no provider_api section to test: add one (kind: hetzner or kiwivm)").ConfigureAwait(false);
            return ExitCodes.Config;
        }

        await using var services = context.BuildServices(RunMode.ReadOnly);
        var meter = services.GetRequiredService<IProviderMeter>();
        var units = context.Settings.Thresholds.Units;
        await output.WriteLineAsync($"provider:  {meter.Kind} ({meter.Billing})").ConfigureAwait(false);
        await output.WriteLineAsync($"asking:    GET {meter.Endpoint}").ConfigureAwait(false);
        ProviderMeterReading reading;
        try
        {
            reading = await meter.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderApiException e)
        {
            await output.WriteLineAsync($"FAILED     {e.Message}").ConfigureAwait(false);
            await error.WriteLineAsync($"traffic-monitor: {meter.Kind}'s API could not be read: {e.Message}").ConfigureAwait(false);
            return ExitCodes.UsageUnavailable;
        }

        string Size(long? bytes) => bytes is { } b ? $"{ByteSize.Format(b, units)} ({b.ToString(CultureInfo.InvariantCulture)} bytes)" : "not given";
        await output.WriteLineAsync($"billed:    {Size(reading.BilledBytes)} this period{(reading.Multiplier != 1 ? $" (× {reading.Multiplier.ToString(CultureInfo.InvariantCulture)})" : string.Empty)}").ConfigureAwait(false);
        if (reading.RxBytes is not null || reading.TxBytes is not null)
        {
            await output.WriteLineAsync($"received:  {Size(reading.RxBytes)}").ConfigureAwait(false);
            await output.WriteLineAsync($"sent:      {Size(reading.TxBytes)}").ConfigureAwait(false);
        }

        await output.WriteLineAsync($"limit:     {Size(reading.LimitBytes)}{(context.Settings.Thresholds.LimitFromProvider ? "   (thresholds.total_limit: provider)" : string.Empty)}").ConfigureAwait(false);
        if (reading.NextReset is { } reset)
        {
            await output.WriteLineAsync($"resets:    {Iso8601.Time(reset)} (local day {ProviderPolicy.ResetDay(reset, services.GetRequiredService<TimeProvider>().LocalTimeZone)?.ToString(CultureInfo.InvariantCulture)}){(context.Settings.Monitor.ResetDayFromProvider ? "   (monitor.reset_day: provider)" : string.Empty)}").ConfigureAwait(false);
        }

        await output.WriteLineAsync($"ok         polled every {DurationParser.Format(api.Poll)} by the monitor").ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
