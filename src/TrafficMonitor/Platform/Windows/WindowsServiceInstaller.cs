using TrafficMonitor.Platform.Services;

namespace TrafficMonitor.Platform.Windows;

/// <summary>
/// A Windows service created with <c>sc.exe</c> (argument lists, no shell), started automatically at boot as
/// LocalSystem (the account that may shut the machine down), restarted when it fails.
/// </summary>
public sealed class WindowsServiceInstaller : IServiceInstaller
{
    private const string Sc = "sc.exe";

    public string Kind => "Windows service";

    public ServicePlan Install(ServiceDefinition service) => new(
        [
            // sc.exe takes "option=" and its value as two arguments; the value of binPath= is one command line.
            new RunStep([Sc, "create", ServiceDefinition.Name, "binPath=", BinaryPath(service.Command), "start=", "auto", "DisplayName=", ServiceDefinition.Name]),
            new RunStep([Sc, "description", ServiceDefinition.Name, ServiceDefinition.Description]),
            new RunStep([Sc, "failure", ServiceDefinition.Name, "reset=", "86400", "actions=", "restart/5000/restart/5000/restart/60000"]),
            new RunStep([Sc, "start", ServiceDefinition.Name]),
        ],
        service.NativeCode ? [] : ["This program is not the Native AOT binary: publish it (dotnet publish -c Release -r win-x64) and install the service from traffic-monitor.exe."]);

    public ServicePlan Uninstall() => new(
        [
            new RunStep([Sc, "stop", ServiceDefinition.Name], MayFail: true),
            new RunStep([Sc, "delete", ServiceDefinition.Name]),
        ],
        ["The state directory is kept; remove it by hand if the monitor is gone for good."]);

    /// <summary>The service's command line as Windows parses it (CommandLineToArgvW): every word quoted, a quote inside escaped.</summary>
    internal static string BinaryPath(IReadOnlyList<string> command) =>
        string.Join(' ', command.Select(word => "\"" + word.Replace("\"", "\\\"", StringComparison.Ordinal) + "\""));
}
