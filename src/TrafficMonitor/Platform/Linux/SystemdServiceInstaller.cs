using System.Text;
using TrafficMonitor.Platform.Services;

namespace TrafficMonitor.Platform.Linux;

/// <summary>
/// A hardened systemd unit in <c>/etc/systemd/system</c>, enabled and started. It grants only what the settings need:
/// root with <c>CAP_SYS_BOOT</c> when the critical action shuts the machine down (logind accepts a caller with it, with
/// or without polkit) and <c>CAP_NET_ADMIN</c> when a throttle, block or quota rule changes the kernel's qdiscs or
/// firewall, in the group <c>traffic-monitor</c> when a block or quota lets the monitor's own traffic out by its group;
/// otherwise a dynamic unprivileged user with no capability at all (or root without any, when the state directory or
/// the settings file is root's alone).
/// </summary>
public sealed class SystemdServiceInstaller : IServiceInstaller
{
    public const string UnitName = ServiceDefinition.Name + ".service";
    public const string UnitPath = "/etc/systemd/system/" + UnitName;

    /// <summary>The state directory systemd's <c>StateDirectory=traffic-monitor</c> makes.</summary>
    public const string DefaultStateDirectory = "/var/lib/traffic-monitor";

    private static readonly string[] Systemctl = ["systemctl"];

    /// <summary>Creates the service's group unless it exists (<c>--force</c>): running it twice is harmless.</summary>
    private static readonly string[] CreateGroup = ["groupadd", "--system", "--force", ServiceDefinition.Group];

    /// <summary>The unit in deploy/systemd/ that packages install: the native binary in /usr/bin, settings in /etc/traffic-monitor.</summary>
    public static ServiceDefinition Packaged { get; } = new(
        ["/usr/bin/traffic-monitor"], "/etc/traffic-monitor/settings.yaml", DefaultStateDirectory, StateDirectoryIsDefault: true, ShutdownEnabled: true, NativeCode: true, SettingsReadableByOthers: false,
        ShapesTraffic: true, OwnGroup: true);

    public string Kind => "systemd unit";

    public ServicePlan Install(ServiceDefinition service)
    {
        var (unit, notes) = Render(service);
        var steps = new List<ServiceStep>();
        if (service.OwnGroup)
        {
            // Group= names it: without it the service would not start (status=216/GROUP).
            steps.Add(new RunStep(CreateGroup));
        }

        if (!service.StateDirectoryIsDefault)
        {
            // ReadWritePaths= needs the directory to exist when the service starts.
            steps.Add(new CreateDirectoryStep(service.StateDirectory));
        }

        steps.Add(new WriteFileStep(UnitPath, unit, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead));
        steps.Add(new RunStep([.. Systemctl, "daemon-reload"]));
        steps.Add(new RunStep([.. Systemctl, "enable", "--now", UnitName]));
        return new ServicePlan(steps, notes);
    }

    public ServicePlan Uninstall() => new(
        [
            new RunStep([.. Systemctl, "disable", "--now", UnitName], MayFail: true),
            new DeleteFileStep(UnitPath),
            new RunStep([.. Systemctl, "daemon-reload"]),
        ],
        [$"The state directory is kept, and the group {ServiceDefinition.Group} if install-service created it; remove them by hand (groupdel {ServiceDefinition.Group}) if the monitor is gone for good."]);

    /// <summary>The unit's text and what the admin should know about the choices made for these settings.</summary>
    public static (string Unit, IReadOnlyList<string> Notes) Render(ServiceDefinition service)
    {
        var notes = new List<string>();
        var paths = new List<string>(service.Program) { service.SettingsPath };
        if (!service.StateDirectoryIsDefault)
        {
            paths.Add(service.StateDirectory);
        }

        var underHome = paths.Any(p => IsUnder(p, "/home", "/root", "/run/user"));
        if (underHome)
        {
            notes.Add("The program, its settings or its state live under /home or /root: the unit lets the service see home directories (ProtectHome=read-only). Move them to /usr/local/bin, /etc/traffic-monitor and /var/lib for ProtectHome=yes.");
        }

        var privateTmp = !paths.Any(p => IsUnder(p, "/tmp", "/var/tmp"));
        if (!privateTmp)
        {
            notes.Add("The program, its settings or its state live in /tmp or /var/tmp, which a service should not depend on: the unit shares the host's /tmp (no PrivateTmp=). Move them somewhere permanent.");
        }

        var root = service.ShutdownEnabled || service.ShapesTraffic || !service.StateDirectoryIsDefault || !service.SettingsReadableByOthers;
        if (!service.ShutdownEnabled && !service.ShapesTraffic && service.StateDirectoryIsDefault && !service.SettingsReadableByOthers)
        {
            notes.Add("Only its owner may read the settings file, which a user made for the service (DynamicUser=yes) could not: the service runs as root without any capability. If the file holds no password, make it readable by all (chmod 0644) for a user of its own.");
        }

        if (service.OwnGroup)
        {
            notes.Add($"A block or quota rule lets the monitor's own traffic out by its group: the service runs as root in the system group {ServiceDefinition.Group} (created when missing), so the block lets out the monitor's traffic and not every root process's.");
        }

        if (!service.NativeCode)
        {
            notes.Add("This program is not the Native AOT binary: the unit allows run-time code generation (no MemoryDenyWriteExecute=). Publish the native binary (dotnet publish -c Release) and install the service from it.");
        }

        var text = new StringBuilder();
        void Line(string line = "") => text.Append(line).Append('\n');

        Line("# Written by `traffic-monitor install-service`; `traffic-monitor uninstall-service` removes it.");
        Line("# Settings are re-read on `systemctl reload traffic-monitor`; see docs/service.md for each choice below.");
        Line("[Unit]");
        Line($"Description={ServiceDefinition.Description}");
        Line("Wants=network-online.target");
        Line("After=network-online.target vnstat.service");
        Line();
        Line("[Service]");
        Line("Type=notify");
        Line("NotifyAccess=main");
        Line($"ExecStart={string.Join(' ', service.Command.Select(Quote))}");
        Line("# The shell's own kill: /bin/kill comes with procps, which a minimal system (a container, debootstrap's minbase) lacks.");
        Line("ExecReload=/bin/sh -c 'kill -HUP \"$$MAINPID\"'");
        Line("Restart=on-failure");
        Line("RestartSec=5s");
        Line("# Bad settings (78) or command line (64) are not mended by restarting; another owner of the state (75) may be.");
        Line("RestartPreventExitStatus=64 78");
        Line("WatchdogSec=2min");
        Line("# A stop lets the check in progress finish: usage read, two delivery rounds and the action, each bounded.");
        Line("TimeoutStopSec=5min");
        if (service.StateDirectoryIsDefault)
        {
            Line("StateDirectory=traffic-monitor");
            Line("StateDirectoryMode=0700");
        }
        else
        {
            Line($"ReadWritePaths={Quote(service.StateDirectory)}");
        }

        Line("RuntimeDirectory=traffic-monitor");
        Line("RuntimeDirectoryMode=0700");
        Line("UMask=0077");
        Line();
        if (root)
        {
            if (service.ShutdownEnabled)
            {
                Line("# The critical action runs `shutdown`, which asks logind over D-Bus: root with CAP_SYS_BOOT, which logind accepts\n# without polkit.");
            }

            if (service.ShapesTraffic)
            {
                Line("# throttle, block and quota change the kernel's qdiscs and firewall (tc, nft): root with CAP_NET_ADMIN.");
            }

            if (!service.ShutdownEnabled && !service.ShapesTraffic)
            {
                Line(!service.StateDirectoryIsDefault
                    ? "# monitor.state_dir is a directory of root's: root, without any capability."
                    : "# Only its owner may read the settings file (it may hold a password): root, without any capability.");
            }

            Line("User=root");
            if (service.OwnGroup)
            {
                Line("# block and quota let the monitor's own traffic out by its group (meta skgid); in group root that would be every");
                Line("# root process's. The group has no members: it marks the monitor's sockets and those of what it starts.");
                Line($"Group={ServiceDefinition.Group}");
            }

            Line($"CapabilityBoundingSet={string.Join(' ', Capabilities(service))}");
        }
        else
        {
            Line("# No action needs privileges (actions.shutdown.enabled: false): an unprivileged user made for the service.");
            Line("DynamicUser=yes");
            Line("Environment=XDG_STATE_HOME=/var/lib");
            Line("CapabilityBoundingSet=");
        }

        Line("NoNewPrivileges=yes");
        Line("ProtectSystem=strict");
        Line(underHome ? "ProtectHome=read-only" : "ProtectHome=yes");
        if (privateTmp)
        {
            Line("PrivateTmp=yes");
        }

        Line("PrivateDevices=yes");
        Line("PrivateIPC=yes");
        Line("PrivateMounts=yes");
        Line("ProtectKernelTunables=yes");
        Line("ProtectKernelModules=yes");
        Line("ProtectKernelLogs=yes");
        Line("ProtectControlGroups=yes");
        Line("ProtectClock=yes");
        Line("ProtectHostname=yes");
        Line("ProtectProc=invisible");
        Line("# AF_UNIX: journal, notify socket, D-Bus for the shutdown; AF_INET/AF_INET6: email and webhooks; AF_NETLINK: interfaces, nft, tc.");
        Line("RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK");
        Line("RestrictNamespaces=yes");
        Line("RestrictRealtime=yes");
        Line("RestrictSUIDSGID=yes");
        Line("LockPersonality=yes");
        if (service.NativeCode)
        {
            Line("MemoryDenyWriteExecute=yes");
        }

        Line("SystemCallArchitectures=native");
        Line("SystemCallFilter=@system-service");
        Line("SystemCallFilter=~@privileged @resources");
        Line("SystemCallErrorNumber=EPERM");
        Line();
        Line("[Install]");
        Line("WantedBy=multi-user.target");
        return (text.ToString(), notes);
    }

    /// <summary>The capabilities the configured actions need, and no other.</summary>
    private static IEnumerable<string> Capabilities(ServiceDefinition service)
    {
        if (service.ShutdownEnabled)
        {
            yield return "CAP_SYS_BOOT";
        }

        if (service.ShapesTraffic)
        {
            yield return "CAP_NET_ADMIN";
        }
    }

    /// <summary>A word of a unit's command line: quoted when it holds a space or quote, with systemd's specifiers (% and $) escaped.</summary>
    internal static string Quote(string word)
    {
        var escaped = word.Replace("%", "%%", StringComparison.Ordinal).Replace("$", "$$", StringComparison.Ordinal);
        return escaped.Length > 0 && !escaped.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or ';')
            ? escaped
            : "\"" + escaped.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }

    private static bool IsUnder(string path, params string[] roots) =>
        roots.Any(root => path == root || path.StartsWith(root + "/", StringComparison.Ordinal));
}
