using System.Diagnostics;
using System.Text.Json;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Build;

/// <summary>
/// The .deb's unit run by a real systemd as PID 1: a fresh bookworm root with systemd, booted with systemd-nspawn, the
/// package installed there as a new user would, the service started, reloaded, taken over its critical point and
/// stopped with systemctl. What `systemd-analyze verify` and a notify socket of a test's own cannot show: that the
/// hardened unit (ProtectSystem=strict, the system call filter, CAP_SYS_BOOT and CAP_NET_ADMIN alone,
/// ProtectProc=invisible, StateDirectory=) lets the program start, count, keep its state, reload and run its action,
/// and that systemd and journald understand what it sends them. And the throttle and the block under the unit: tc and
/// ip (an ifb device of its own) and nft work in its sandbox, and the block lets out the monitor's own group (the unit's
/// Group=traffic-monitor), not root's traffic.
/// </summary>
[Collection(NativeBinaryGroup.Name)]
public class DebianServiceTests(NativeBinary binary) : IDisposable
{
    private const string Unit = "traffic-monitor.service";
    private const string Settings = "/etc/traffic-monitor/settings.yaml";
    private const string StateDirectory = "/var/lib/traffic-monitor";
    private const string Recorder = "/usr/local/bin/record-shutdown";

    // The state directory is one of the few places the unit may write, so the recorder leaves its record there.
    private const string Recorded = StateDirectory + "/shutdown-recorded";

    // Stands in for shutdown, under the unit's sandbox: records its arguments, user and capabilities, and what logind
    // answers this caller about powering off (the real shutdown asks logind over the same D-Bus, with the same creds).
    private const string RecorderScript = $$"""
        #!/bin/sh
        {
            echo "args: $*"
            echo "uid: $(id -u)"
            echo "gid: $(id -gn)"
            grep '^CapEff' /proc/self/status
            echo "CanPowerOff: $(busctl call org.freedesktop.login1 /org/freedesktop/login1 org.freedesktop.login1.Manager CanPowerOff 2>&1)"
        } > {{Recorded}}.partial
        mv {{Recorded}}.partial {{Recorded}}

        """;

    // The container's network holds only lo, so that is the interface counted.
    private const string OwnSettings = $$"""
        thresholds: {total_limit: "2000 GB", interval: "100 GB", critical_percentage: 90}
        monitor: {provider: system, interfaces: [lo], check_interval: 2s}
        actions:
          shutdown:
            command: ["{{Recorder}}", "{delay_minutes}"]
        """;

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Deb_UnderSystemdAsPid1_StartsReadyReloadsRunsTheActionAndStops()
    {
        Assert.True(binary.ExitCode == 0, $"publish failed:\n{binary.PublishLog}");
        var deb = DebianPackage.Build(binary, "1.0.0", _directory.Combine("debs"));
        using var root = new DebianRoot(Packages(deb));
        File.WriteAllText(root.Host(Recorder), RecorderScript.ReplaceLineEndings("\n"));
        File.SetUnixFileMode(root.Host(Recorder), (UnixFileMode)Convert.ToInt32("755", 8));
        using var machine = new BootedRoot(root);
        string Journal() => Run(machine, "journalctl", "--unit", Unit, "--output", "json");

        // Installed with the shipped example, under a running systemd: neither enabled nor started.
        var install = machine.Run("dpkg", "-i", root.CopyIn(deb));
        Assert.True(install.ExitCode == 0, install.Output + install.Error);
        Assert.Contains("still holds the example's placeholders", install.Error, StringComparison.Ordinal);
        Assert.Equal("inactive", machine.Run("systemctl", "is-active", Unit).Output.Trim());
        Assert.Equal("disabled", machine.Run("systemctl", "is-enabled", Unit).Output.Trim());

        // Start: a Type=notify unit is active once READY=1 came, which is after the first check (its usage line is
        // the STATUS, and the state file has the check's time).
        File.WriteAllText(root.Host(Settings), OwnSettings);
        Run(machine, "systemctl", "start", Unit);
        var started = Show(machine);
        Assert.Equal("active", started["ActiveState"]);
        Assert.Equal("running", started["SubState"]);
        Assert.Matches(@"^Used \S+ \S+ of 2000 GB \(0%\) in the period \S+ to \S+, counting lo from system$", started["StatusText"]);
        using (var state = JsonDocument.Parse(File.ReadAllText(root.Host(StateDirectory + "/state.json"))))
        {
            Assert.Equal(JsonValueKind.String, state.RootElement.GetProperty("health").GetProperty("last_check_at").ValueKind);
        }

        var mainPid = started["MainPID"];
        Assert.Contains($"Status: \"{started["StatusText"]}\"", Run(machine, "systemctl", "status", "--no-pager", Unit), StringComparison.Ordinal);

        // The journal: stderr is its stream, so every line carries its priority and no timestamp of its own.
        var logged = Entries(Eventually(Journal, j => j.Contains("QuotaCheck[2] Used ", StringComparison.Ordinal))).Where(e => e.Pid == mainPid).ToList();
        Assert.All(logged, e => Assert.Matches(@"^TrafficMonitor[\w.]*\[\d+\] ", e.Message));
        Assert.Contains(logged, e => e.Priority == "6" && e.Message.Contains("QuotaCheck[2] Used ", StringComparison.Ordinal));
        Assert.Contains(logged, e => e.Priority == "4" && e.Message.Contains("no notification channel", StringComparison.Ordinal));

        // State: files 0600 in directories 0700, whatever the service manager's umask.
        Assert.Equal(["700", "700"], Run(machine, "stat", "--format", "%a", StateDirectory, "/run/traffic-monitor").Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.All(Directory.GetFiles(root.Host(StateDirectory)), f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));

        // From here PID 1 logs every notification it accepts (debug level): the proof of what reached it, in order.
        // Not before the start: the child systemd forks for the service would then log from init.scope before its
        // exec, and journald would file the service's own lines, cached by PID, under init.scope rather than the unit.
        Run(machine, "systemd-analyze", "log-level", "debug");

        // Reload: ExecReload's SIGHUP, RELOADING=1, then READY=1 after a check on the new settings (a tiny quota).
        File.WriteAllText(root.Host(Settings), OwnSettings.Replace("\"2000 GB\", interval: \"100 GB\"", "\"10 MB\", interval: \"5 MB\"", StringComparison.Ordinal));
        Run(machine, "systemctl", "reload", Unit);
        var reloaded = Eventually(() => Show(machine), s => s["StatusText"].Contains(" of 10 MB ", StringComparison.Ordinal));
        Assert.Equal(mainPid, reloaded["MainPID"]);
        Assert.Equal("active", reloaded["ActiveState"]);
        var reloadMessages = Entries(Eventually(Journal, j => j.Contains("Settings reloaded", StringComparison.Ordinal))).Select(e => e.Message).ToList();
        var reloading = reloadMessages.FindIndex(m => m.Contains($"Got notification message from PID {mainPid} (RELOADING=1, MONOTONIC_USEC=", StringComparison.Ordinal));
        Assert.True(reloading >= 0, string.Join('\n', reloadMessages));
        Assert.Contains(reloadMessages.Skip(reloading), m =>
            m.Contains($"Got notification message from PID {mainPid} (READY=1, STATUS=Used", StringComparison.Ordinal) && m.Contains(" of 10 MB ", StringComparison.Ordinal));

        // Over the critical point (usage set as a provider's panel would show it): the action runs inside the sandbox,
        // as root in the group traffic-monitor with CAP_SYS_BOOT and CAP_NET_ADMIN alone (bits 22 and 12), and logind
        // would let it power off without asking polkit.
        // (set-usage runs outside the unit and sees nspawn's own boot id, the unit's fresh /proc the kernel's: the
        // ledger takes that for a reboot, which moves nothing here since lo carries no traffic.)
        Run(machine, "traffic-monitor", "set-usage", "9.5MB");
        var record = Eventually(() => File.Exists(root.Host(Recorded)) ? File.ReadAllText(root.Host(Recorded)) : string.Empty, r => r.Length > 0);
        Assert.Contains("args: 1\n", record, StringComparison.Ordinal);
        Assert.Contains("uid: 0\n", record, StringComparison.Ordinal);
        Assert.Contains("gid: traffic-monitor\n", record, StringComparison.Ordinal);
        Assert.Contains("CapEff:\t0000000000401000\n", record, StringComparison.Ordinal);
        Assert.Contains("CanPowerOff: s \"yes\"", record, StringComparison.Ordinal);
        Assert.Contains("(95%)", Eventually(() => Show(machine), s => s["StatusText"].Contains("(95%)", StringComparison.Ordinal))["StatusText"], StringComparison.Ordinal);
        Assert.Contains("The critical action ran", Eventually(Journal, j => j.Contains("The critical action ran", StringComparison.Ordinal)), StringComparison.Ordinal);

        // Stop: STOPPING=1, then a clean exit.
        Run(machine, "systemctl", "stop", Unit);
        var stopped = Show(machine);
        Assert.Equal("inactive", stopped["ActiveState"]);
        Assert.Equal("success", stopped["Result"]);
        Assert.Equal("0", stopped["ExecMainStatus"]);
        var stopMessages = Entries(Journal()).Select(e => e.Message).ToList();
        Assert.Contains(stopMessages, m => m.Contains($"Got notification message from PID {mainPid} (STOPPING=1", StringComparison.Ordinal));
        Assert.Contains(stopMessages, m => m.StartsWith("traffic-monitor.service: Deactivated successfully", StringComparison.Ordinal));
    }

    [Fact]
    public void InstallService_NoShutdownOnTheDebsPrivateSettings_RunsAsRootWithoutCapabilitiesAndReloads()
    {
        Assert.True(binary.ExitCode == 0, $"publish failed:\n{binary.PublishLog}");
        var deb = DebianPackage.Build(binary, "1.0.0", _directory.Combine("debs"));
        using var root = new DebianRoot(Packages(deb));
        using var machine = new BootedRoot(root);
        Run(machine, "dpkg", "-i", root.CopyIn(deb));

        // The admin turns the shutdown off in the packaged file, which stays 0600: a dynamic user could not read it.
        File.WriteAllText(root.Host(Settings), OwnSettings.Replace($"command: [\"{Recorder}\", \"{{delay_minutes}}\"]", "enabled: false", StringComparison.Ordinal));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(root.Host(Settings)));
        var install = machine.Run("traffic-monitor", "install-service", "--config", Settings);
        Assert.True(install.ExitCode == 0, install.Output + install.Error);
        Assert.Contains("chmod 0644", install.Output + install.Error, StringComparison.Ordinal);
        var unit = File.ReadAllLines(root.Host("/etc/systemd/system/" + Unit));
        Assert.Contains("User=root", unit);
        Assert.Contains("CapabilityBoundingSet=", unit);
        Assert.DoesNotContain("DynamicUser=yes", unit);
        Assert.Contains("MemoryDenyWriteExecute=yes", unit); // the native binary knows it is one

        var started = Show(machine);
        Assert.Equal("active", started["ActiveState"]);
        Assert.Contains(" of 2000 GB ", started["StatusText"], StringComparison.Ordinal);

        File.WriteAllText(root.Host(Settings), File.ReadAllText(root.Host(Settings)).Replace("\"2000 GB\", interval: \"100 GB\"", "\"10 MB\", interval: \"5 MB\"", StringComparison.Ordinal));
        Run(machine, "systemctl", "reload", Unit);
        Assert.Equal(started["MainPID"], Eventually(() => Show(machine), s => s["StatusText"].Contains(" of 10 MB ", StringComparison.Ordinal))["MainPID"]);

        Run(machine, "traffic-monitor", "uninstall-service");
        Assert.Equal("inactive", machine.Run("systemctl", "is-active", Unit).Output.Trim());
        Assert.False(File.Exists(root.Host("/etc/systemd/system/" + Unit)));
    }

    [Fact]
    public void Deb_ThrottleAndBlockUnderTheUnit_ShapeTheCountedVethAndLetOutTheMonitorsGroupNotRoot()
    {
        Assert.True(binary.ExitCode == 0, $"publish failed:\n{binary.PublishLog}");
        var deb = DebianPackage.Build(binary, "1.0.0", _directory.Combine("debs"));
        using var root = new DebianRoot(Packages(deb));
        using var machine = new BootedRoot(root);
        Run(machine, "dpkg", "-i", root.CopyIn(deb));
        var gid = Run(machine, "getent", "group", "traffic-monitor").Split(':')[2];
        Assert.NotEqual("0", gid);

        // A veth of the container's own, counted instead of lo: the throttle needs an interface it may shape (and the
        // packets below one that is not lo, which the block always lets through).
        Run(machine, "ip", "link", "add", "tm0", "type", "veth", "peer", "name", "tm1");
        Run(machine, "ip", "address", "add", "198.18.0.1/24", "dev", "tm0");
        Run(machine, "ip", "link", "set", "tm0", "up");
        Run(machine, "ip", "link", "set", "tm1", "up");
        Assert.NotEqual(0, machine.Run("ip", "link", "show", "dev", "ifbtm-tm0").ExitCode); // the service makes it

        // A throttle and a block at 1 MB of a 10 MB quota, crossed as soon as the usage is set: the unit's sandbox must
        // let tc, ip (the ifb) and nft work.
        File.WriteAllText(root.Host(Settings), OwnSettings
            .Replace("\"2000 GB\", interval: \"100 GB\"", "\"10 MB\", interval: \"5 MB\"", StringComparison.Ordinal)
            .Replace("interfaces: [lo]", "interfaces: [tm0]", StringComparison.Ordinal)
            + "\n  rules:\n    - {at: \"1 MB\", do: throttle, rate: \"10 Mbit/s\"}\n    - {at: \"1 MB\", do: block}\n");
        Run(machine, "systemctl", "start", Unit);
        var status = Run(machine, "cat", $"/proc/{Show(machine)["MainPID"]}/status");
        Assert.Matches($@"\nGid:\t{gid}\t{gid}\t", status);
        Assert.Matches(@"\nUid:\t0\t0\t", status);
        // systemd gives the state and runtime directories to User= and Group=; the mode keeps the group out.
        Assert.Equal(["700 root:traffic-monitor", "700 root:traffic-monitor"], Run(machine, "stat", "--format", "%a %U:%G", StateDirectory, "/run/traffic-monitor").Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Run(machine, "traffic-monitor", "set-usage", "2MB");
        var journal = Eventually(Journal, j => j.Contains("block@1 MB is applied", StringComparison.Ordinal) && j.Contains("throttle@1 MB is applied", StringComparison.Ordinal));
        Assert.DoesNotContain("could not be applied", journal, StringComparison.Ordinal);

        // The throttle from inside the sandbox: our HTB root on tm0 with the ingress redirect, and an ifb of ours
        // (created by the service, not there before) shaped the same.
        Assert.Contains("Throttled tm0 to 10 Mbit/s both ways (what it receives through ifbtm-tm0)", journal, StringComparison.Ordinal);
        var qdiscs = Run(machine, "tc", "qdisc", "show", "dev", "tm0");
        Assert.Matches(@"(?m)^qdisc htb 7a3e: root ", qdiscs);
        Assert.Matches(@"(?m)^qdisc ingress ffff: ", qdiscs);
        Assert.Contains("Egress Redirect to device ifbtm-tm0", Run(machine, "tc", "filter", "show", "dev", "tm0", "ingress"), StringComparison.Ordinal);
        Assert.Contains("alias traffic-monitor throttle of tm0", Run(machine, "ip", "link", "show", "dev", "ifbtm-tm0"), StringComparison.Ordinal);
        Assert.Matches(@"(?m)^qdisc htb 7a3e: root ", Run(machine, "tc", "qdisc", "show", "dev", "ifbtm-tm0"));

        // The monitor's own traffic is let out by its group's id, and by nothing that root's processes share.
        var table = Run(machine, "nft", "list", "table", "inet", "traffic_monitor");
        Assert.Contains($"meta skgid {gid} accept", table, StringComparison.Ordinal);
        Assert.DoesNotContain("skuid", table, StringComparison.Ordinal);

        // Said where it is true: not by the service, which runs in its group; by check-config run as root in group root.
        Assert.DoesNotContain("passes the block", Journal(), StringComparison.Ordinal);
        Assert.Contains("every root process's traffic passes the block", Run(machine, "traffic-monitor", "check-config"), StringComparison.Ordinal);

        // Real packets, out of the veth: a datagram from a root process is dropped on its way out (the kernel answers
        // the sender EPERM); the same from the monitor's group (a root process with its gid, as the monitor's sockets
        // and its children's are) leaves, through the throttle's HTB.
        const string Send = "echo alert > /dev/udp/198.18.0.2/9";
        var asRoot = machine.Run("bash", "-c", Send);
        Assert.NotEqual(0, asRoot.ExitCode);
        Assert.Contains("Operation not permitted", asRoot.Error, StringComparison.Ordinal);
        var asMonitorsGroup = machine.Run("setpriv", "--regid", gid, "--clear-groups", "bash", "-c", Send);
        Assert.True(asMonitorsGroup.ExitCode == 0, asMonitorsGroup.Error);

        string Journal() => Run(machine, "journalctl", "--unit", Unit, "--output", "cat");
    }

    /// <summary>One list for every boot, so the tarball of the root is made once and shared: nft and ip for the block's test.</summary>
    private static string[] Packages(string deb) => [.. DebianPackage.DependedOn(deb), "init-system-helpers", "systemd", "dbus", "nftables", "iproute2"];

    private static string Run(BootedRoot machine, params string[] command)
    {
        var (exitCode, output, error) = machine.Run(command);
        Assert.True(exitCode == 0, $"{string.Join(' ', command)} exited {exitCode}: {error}{output}");
        return output;
    }

    private static Dictionary<string, string> Show(BootedRoot machine) =>
        Run(machine, "systemctl", "show", "--property", "ActiveState,SubState,StatusText,MainPID,Result,ExecMainStatus", Unit)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1]);

    /// <summary>journalctl's JSON, one entry a line: message, priority and the process that wrote it.</summary>
    private static List<(string Message, string Priority, string Pid)> Entries(string json) =>
        [.. json.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            var entry = JsonDocument.Parse(line).RootElement;
            string Field(string name) => entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;
            return (Field("MESSAGE"), Field("PRIORITY"), Field("_PID"));
        })];

    /// <summary>What the service writes reaches journald, and what it notifies reaches PID 1, a moment after the fact.</summary>
    private static T Eventually<T>(Func<T> read, Func<T, bool> done)
    {
        var clock = Stopwatch.StartNew();
        var value = read();
        while (!done(value) && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            Thread.Sleep(200);
            value = read();
        }

        Assert.True(done(value), $"still not there after 20s:\n{(value is IDictionary<string, string> fields ? string.Join('\n', fields) : value)}");
        return value;
    }
}
