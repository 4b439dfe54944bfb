using System.Security;
using System.Text;
using TrafficMonitor.Platform.Services;

namespace TrafficMonitor.Platform.MacOS;

/// <summary>
/// A launchd daemon: a property list in <c>/Library/LaunchDaemons</c> (root's, 0644, as launchd requires), loaded
/// with <c>launchctl bootstrap system</c>; kept alive when it fails, run as root (the shutdown needs it).
/// </summary>
public sealed class LaunchdServiceInstaller : IServiceInstaller
{
    public const string Label = "org.traffic-monitor";
    public const string PlistPath = "/Library/LaunchDaemons/" + Label + ".plist";
    private const string Launchctl = "/bin/launchctl";

    /// <summary>The plist in deploy/launchd/: the native binary in /usr/local/bin, settings where the monitor looks last.</summary>
    public static ServiceDefinition Packaged { get; } = new(
        ["/usr/local/bin/traffic-monitor"], "/etc/traffic-monitor/settings.yaml", "/Library/Application Support/traffic-monitor", StateDirectoryIsDefault: true, ShutdownEnabled: true, NativeCode: true, SettingsReadableByOthers: false);

    public string Kind => "launchd daemon";

    public ServicePlan Install(ServiceDefinition service) => new(
        [
            new WriteFileStep(PlistPath, Render(service), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead),
            // A daemon disabled earlier (launchctl disable) would not load.
            new RunStep([Launchctl, "enable", "system/" + Label]),
            new RunStep([Launchctl, "bootstrap", "system", PlistPath]),
        ],
        service.NativeCode ? [] : ["This program is not the Native AOT binary: publish it (dotnet publish -c Release -r osx-arm64) and install the service from it."]);

    public ServicePlan Uninstall() => new(
        [
            new RunStep([Launchctl, "bootout", "system/" + Label], MayFail: true),
            new DeleteFileStep(PlistPath),
        ],
        ["The state directory is kept; remove it by hand if the monitor is gone for good."]);

    /// <summary>The property list: the command as an argument array (no shell), logs to a file launchd appends to.</summary>
    public static string Render(ServiceDefinition service)
    {
        var text = new StringBuilder();
        text.Append("""
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
            <!-- Written by `traffic-monitor install-service`; `traffic-monitor uninstall-service` removes it. -->
            <plist version="1.0">
            <dict>
              <key>Label</key>
              <string>org.traffic-monitor</string>
              <key>ProgramArguments</key>
              <array>

            """);
        foreach (var word in service.Command)
        {
            text.Append("    <string>").Append(SecurityElement.Escape(word)).Append("</string>\n");
        }

        text.Append("""
              </array>
              <key>RunAtLoad</key>
              <true/>
              <key>KeepAlive</key>
              <dict>
                <key>SuccessfulExit</key>
                <false/>
              </dict>
              <key>ThrottleInterval</key>
              <integer>5</integer>
              <key>Umask</key>
              <integer>63</integer>
              <key>StandardErrorPath</key>
              <string>/var/log/traffic-monitor.log</string>
            </dict>
            </plist>

            """);
        return text.ToString();
    }
}
