using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Build;

/// <summary>
/// The .deb that eng/build-deb.sh makes, installed, upgraded, removed and purged in a fresh bookworm root made with
/// mmdebstrap, as a new user would: never on the host's own /usr and /etc. The package's Depends: must be enough
/// for the native binary to run in a root that has only minbase and what it names.
/// </summary>
[Collection(NativeBinaryGroup.Name)]
public class DebianPackageTests(NativeBinary binary) : IDisposable
{
    private const string Settings = "/etc/traffic-monitor/settings.yaml";
    private const string Enabled = "/etc/systemd/system/multi-user.target.wants/traffic-monitor.service";

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string BuildDeb(string version) => DebianPackage.Build(binary, version, _directory.Combine("debs"));

    [Fact]
    public void Deb_InstallUpgradeRemovePurge_InAFreshRoot_BehavesAsDebianExpects()
    {
        Assert.True(binary.ExitCode == 0, $"publish failed:\n{binary.PublishLog}");
        var older = BuildDeb("0.9.0");
        var newer = BuildDeb("1.0.0");
        var depends = DebianPackage.Depends(newer);
        Assert.Matches(@"libc6 \(>= 2\.\d+\)", depends);
        Assert.Contains("libssl3", depends, StringComparison.Ordinal);

        // What Depends: names, read from the .deb itself, is all the root gets besides minbase.
        using var root = new DebianRoot([.. DebianPackage.DependedOn(newer), "init-system-helpers"]);

        // Install with the shipped example: everything in place, but not enabled while placeholders remain.
        var install = root.Run("dpkg", "-i", root.CopyIn(older));
        Assert.True(install.ExitCode == 0, install.Output + install.Error);
        Assert.Contains("still holds the example's placeholders", install.Error, StringComparison.Ordinal);
        Assert.False(root.HasLink(Enabled));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(root.Host(Settings)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(root.Host("/var/lib/traffic-monitor")));
        Assert.True(File.Exists(root.Host("/usr/lib/systemd/system/traffic-monitor.service")));
        Assert.Contains(Settings, File.ReadAllText(root.Host("/var/lib/dpkg/info/traffic-monitor.conffiles")), StringComparison.Ordinal);
        var group = Group(root);
        Assert.Matches(@"^traffic-monitor:x:\d+:$", group);
        var version = root.Run("traffic-monitor", "--version");
        Assert.True(version.ExitCode == 0, version.Error);
        var check = root.Run("traffic-monitor", "check-config");
        Assert.True(check.ExitCode == 0, check.Error);
        Assert.Contains($"# {Settings}: valid", check.Output, StringComparison.Ordinal);

        // The admin makes the settings their own (the action a recorder here) and runs a check.
        File.WriteAllText(root.Host(Settings), """
            thresholds: {total_limit: "2000 GB", interval: "100 GB", critical_percentage: 90}
            monitor: {provider: system}
            actions:
              shutdown:
                command: ["/bin/true"]
            """);
        var once = root.Run("traffic-monitor", "--once");
        Assert.True(once.ExitCode == 0, once.Error);
        Assert.True(File.Exists(root.Host("/var/lib/traffic-monitor/state.json")));

        // Upgrade: the admin's settings and the state stay; with no placeholder left the service is enabled.
        var upgrade = root.Run("dpkg", "-i", root.CopyIn(newer));
        Assert.True(upgrade.ExitCode == 0, upgrade.Output + upgrade.Error);
        Assert.DoesNotContain("placeholders", upgrade.Error, StringComparison.Ordinal);
        Assert.Contains("Version: 1.0.0", root.Run("dpkg", "-s", "traffic-monitor").Output, StringComparison.Ordinal);
        Assert.Contains("/bin/true", File.ReadAllText(root.Host(Settings)), StringComparison.Ordinal);
        Assert.True(File.Exists(root.Host("/var/lib/traffic-monitor/state.json")));
        Assert.True(root.HasLink(Enabled), "the service is enabled once the settings are the admin's");
        Assert.Equal(group, Group(root));

        // Remove: the program goes, the settings and the state stay.
        var remove = root.Run("dpkg", "-r", "traffic-monitor");
        Assert.True(remove.ExitCode == 0, remove.Output + remove.Error);
        Assert.False(File.Exists(root.Host("/usr/bin/traffic-monitor")));
        Assert.True(File.Exists(root.Host(Settings)));
        Assert.True(File.Exists(root.Host("/var/lib/traffic-monitor/state.json")));

        // Purge: nothing of it is left but its group, which Debian keeps as it keeps every system account: a file of
        // the group's left anywhere would otherwise pass to whatever later gets the same id.
        var purge = root.Run("dpkg", "-P", "traffic-monitor");
        Assert.True(purge.ExitCode == 0, purge.Output + purge.Error);
        Assert.False(Directory.Exists(root.Host("/etc/traffic-monitor")));
        Assert.False(Directory.Exists(root.Host("/var/lib/traffic-monitor")));
        Assert.False(root.HasLink(Enabled));
        Assert.NotEqual(0, root.Run("dpkg", "-s", "traffic-monitor").ExitCode);
        Assert.Equal(group, Group(root));
    }

    /// <summary>The group the unit runs in, as the root's /etc/group has it (one line, or nothing).</summary>
    private static string Group(DebianRoot root) => root.Run("getent", "group", "traffic-monitor").Output.Trim();
}
