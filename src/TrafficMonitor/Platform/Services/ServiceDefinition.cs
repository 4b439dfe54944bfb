namespace TrafficMonitor.Platform.Services;

/// <summary>What a service installer needs to know: how to start the monitor and what its settings ask of the machine.</summary>
/// <param name="Program">The program and any argument before the command: the native binary, or <c>dotnet</c> and the assembly.</param>
/// <param name="SettingsPath">The settings file, absolute: the service passes it with <c>--config</c>.</param>
/// <param name="StateDirectory">Where the service keeps its state when it runs as the OS's service account.</param>
/// <param name="StateDirectoryIsDefault">The settings name no <c>monitor.state_dir</c>: the OS's own state directory is used.</param>
/// <param name="ShutdownEnabled">The critical action shuts the machine down, which needs the privilege to.</param>
/// <param name="NativeCode">The program is a Native AOT binary: it never generates code at run time.</param>
/// <param name="SettingsReadableByOthers">Any user may read the settings file, a user made for the service too (it is not
/// kept to its owner, as a file holding a password is).</param>
/// <param name="ShapesTraffic">A <c>throttle</c>, <c>block</c> or <c>quota</c> rule: tc and nft need <c>CAP_NET_ADMIN</c>.</param>
/// <param name="OwnGroup">A <c>block</c> or <c>quota</c> rule lets the monitor's own traffic out by its group (no
/// <c>allow_users</c> / <c>allow_groups</c>): the service runs in the group <see cref="Group"/>, since in group root that
/// would be every root process's traffic.</param>
public sealed record ServiceDefinition(
    IReadOnlyList<string> Program,
    string SettingsPath,
    string StateDirectory,
    bool StateDirectoryIsDefault,
    bool ShutdownEnabled,
    bool NativeCode,
    bool SettingsReadableByOthers,
    bool ShapesTraffic = false,
    bool OwnGroup = false)
{
    public const string Name = "traffic-monitor";

    /// <summary>The system group the service runs in when a block or quota lets its own traffic out by group.</summary>
    public const string Group = Name;

    public const string Description = "traffic-monitor: keeps this server inside its monthly traffic quota";

    /// <summary>The whole command line of the service: the program, <c>run</c> and the settings file.</summary>
    public IReadOnlyList<string> Command => [.. Program, "run", "--config", SettingsPath];
}

/// <summary>One thing an installer does; a dry run prints them, a real run does them in order.</summary>
public abstract record ServiceStep;

/// <summary>Writes a file (a unit, a plist) with this mode, replacing one that is there.</summary>
public sealed record WriteFileStep(string Path, string Content, UnixFileMode Mode) : ServiceStep;

/// <summary>Removes a file when it is there.</summary>
public sealed record DeleteFileStep(string Path) : ServiceStep;

/// <summary>Creates a directory (0700) when it is missing.</summary>
public sealed record CreateDirectoryStep(string Path) : ServiceStep;

/// <summary>Runs a program without a shell; a failure stops the plan unless <paramref name="MayFail"/> (stopping a service that is not running).</summary>
public sealed record RunStep(IReadOnlyList<string> Command, bool MayFail = false) : ServiceStep;

/// <summary>What installing or removing the service takes, and what the admin should know about it.</summary>
public sealed record ServicePlan(IReadOnlyList<ServiceStep> Steps, IReadOnlyList<string> Notes);

/// <summary>Installs the monitor as the OS's kind of service: argument lists and file contents only, run by the command.</summary>
public interface IServiceInstaller
{
    /// <summary>What the OS calls this kind of service (systemd unit, Windows service, launchd daemon).</summary>
    string Kind { get; }

    ServicePlan Install(ServiceDefinition service);

    ServicePlan Uninstall();
}
