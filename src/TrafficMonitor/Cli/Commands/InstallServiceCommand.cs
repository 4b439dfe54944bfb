using System.CommandLine;
using TrafficMonitor.Configuration;
using TrafficMonitor.Configuration.Sections;
using TrafficMonitor.Enforcement;
using TrafficMonitor.Enforcement.Linux;
using TrafficMonitor.Platform;
using TrafficMonitor.Platform.Services;
using TrafficMonitor.State;

namespace TrafficMonitor.Cli.Commands;

/// <summary>
/// <c>install-service [--dry-run] [--root DIR]</c> and <c>uninstall-service</c>: the monitor as this OS's service
/// (a hardened systemd unit, a Windows service, a launchd daemon), for the settings file it was given. The installer
/// only plans (files and argument lists); this command prints the plan or carries it out.
/// </summary>
internal static class InstallServiceCommand
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private static Option<bool> DryRun() => new("--dry-run") { Description = "Print the files and the commands, change nothing" };

    private static Option<string?> Root() => new("--root")
    {
        Description = "Write the files under this directory instead of / and run no command (for packaging and tests)",
    };

    public static Command CreateInstall(SettingsAction withSettings)
    {
        var dryRun = DryRun();
        var root = Root();
        var command = new Command("install-service", "Install the monitor as a service for these settings, enable and start it (systemd, Windows service, launchd)");
        command.Options.Add(dryRun);
        command.Options.Add(root);
        command.SetAction(withSettings((context, ct) => InstallAsync(context, context.Parse.GetValue(dryRun), context.Parse.GetValue(root), ct)));
        return command;
    }

    /// <summary>Needs no settings: the service may be removed because its settings are gone.</summary>
    public static Command CreateUninstall(TextWriter output, TextWriter error)
    {
        var dryRun = DryRun();
        var root = Root();
        var command = new Command("uninstall-service", "Stop, disable and remove the service (its state directory stays)");
        command.Options.Add(dryRun);
        command.Options.Add(root);
        command.SetAction((parse, ct) =>
            HostPlatform.Current.ServiceInstaller is { } installer
                ? CarryOutAsync(installer.Uninstall(), parse.GetValue(dryRun), parse.GetValue(root), output, error, ct)
                : UnsupportedAsync(error));
        return command;
    }

    private static async Task<int> InstallAsync(CommandContext context, bool dryRun, string? root, CancellationToken cancellationToken)
    {
        if (HostPlatform.Current.ServiceInstaller is not { } installer)
        {
            return await UnsupportedAsync(context.Error).ConfigureAwait(false);
        }

        // Warned as the service will run: in its own group, a block lets out only the monitor's traffic.
        var service = Definition(context);
        var runAs = service.OwnGroup ? new ProcessCredentials(ProcessCredentials.Root, ServiceDefinition.Group) : null;
        foreach (var warning in SettingsAdvisor.Warnings(context.Settings, runAs))
        {
            CliLog.SettingsWarning(context.Logger, warning);
        }

        var plan = installer.Install(service);
        return await CarryOutAsync(plan, dryRun, root, context.Output, context.Error, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The service for the loaded settings, with the state directory it gets when it runs as the OS's service account.</summary>
    internal static ServiceDefinition Definition(CommandContext context)
    {
        var settingsPath = Path.GetFullPath(context.Settings.SourcePath);
        var serviceDefault = HostPlatform.Current.DefaultStateDirectory(ProcessEnvironment.Current with { IsPrivileged = true });
        var asService = ConfigLoader.Load(settingsPath, serviceDefault, context.GetEnvironment);
        return new ServiceDefinition(
            Program(),
            settingsPath,
            asService.Monitor.StateDir,
            asService.Monitor.StateDir == serviceDefault,
            EnforcementSteps.ShutsDown(asService),
            NativeCode: ProcessEnvironment.IsNativeCode,
            SettingsReadableByOthers: OperatingSystem.IsWindows() || File.GetUnixFileMode(settingsPath).HasFlag(UnixFileMode.OtherRead),
            ShapesTraffic: asService.Rules.Any(r => r.Options is ThrottleStepOptions || RulesSection.AllowedTraffic(r.Options) is not null),
            OwnGroup: asService.Rules.Any(r => RulesSection.AllowedTraffic(r.Options) is { LetsOwnTrafficOut: true }));
    }

    /// <summary>This program: the native binary (or the apphost), or <c>dotnet</c> and the assembly when started through it.</summary>
    private static string[] Program()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this program is unknown");
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? [process, Path.Combine(AppContext.BaseDirectory, "traffic-monitor.dll")]
            : [process];
    }

    private static async Task<int> CarryOutAsync(ServicePlan plan, bool dryRun, string? root, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (dryRun)
        {
            await output.WriteAsync(Describe(plan)).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        var runner = new ProcessRunner();
        foreach (var step in plan.Steps)
        {
            try
            {
                switch (step)
                {
                    case WriteFileStep write:
                        var path = Under(root, write.Path);
                        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                        await File.WriteAllTextAsync(path, write.Content, cancellationToken).ConfigureAwait(false);
                        if (!OperatingSystem.IsWindows())
                        {
                            File.SetUnixFileMode(path, write.Mode);
                        }

                        await output.WriteLineAsync($"Wrote {path}").ConfigureAwait(false);
                        break;
                    case DeleteFileStep delete:
                        File.Delete(Under(root, delete.Path));
                        await output.WriteLineAsync($"Removed {Under(root, delete.Path)}").ConfigureAwait(false);
                        break;
                    case CreateDirectoryStep directory:
                        PrivateFiles.CreateDirectory(Under(root, directory.Path));
                        break;
                    case RunStep run when root is not null:
                        await output.WriteLineAsync($"Not run (--root): {Format(run.Command)}").ConfigureAwait(false);
                        break;
                    case RunStep run:
                        await output.WriteLineAsync($"Running: {Format(run.Command)}").ConfigureAwait(false);
                        var result = await runner.RunAsync(run.Command, CommandTimeout, cancellationToken).ConfigureAwait(false);
                        if (result.ExitCode != 0 && !run.MayFail)
                        {
                            await error.WriteLineAsync($"traffic-monitor: '{Format(run.Command)}' failed (exit code {result.ExitCode}): {(result.StandardError + result.StandardOutput).Trim()}").ConfigureAwait(false);
                            return ExitCodes.ServiceManagerFailed;
                        }

                        break;
                }
            }
            catch (UnauthorizedAccessException e)
            {
                await error.WriteLineAsync($"traffic-monitor: {e.Message.TrimEnd('.')}: installing a service needs root (sudo) or an administrator").ConfigureAwait(false);
                return ExitCodes.NoPermission;
            }
            catch (Exception e) when (e is IOException or ProgramNotFoundException or TimeoutException)
            {
                await error.WriteLineAsync($"traffic-monitor: {e.Message}").ConfigureAwait(false);
                return ExitCodes.ServiceManagerFailed;
            }
        }

        foreach (var note in plan.Notes)
        {
            await output.WriteLineAsync($"Note: {note}").ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    /// <summary>The dry run's text: each file in full, each command as it would run, the notes.</summary>
    internal static string Describe(ServicePlan plan)
    {
        var text = new System.Text.StringBuilder();
        text.Append("# Dry run: nothing is written and nothing is run.\n");
        foreach (var step in plan.Steps)
        {
            text.Append(step switch
            {
                WriteFileStep write => $"\n# Would write {write.Path} (mode {Convert.ToString((int)write.Mode, 8).PadLeft(4, '0')}):\n{write.Content}",
                DeleteFileStep delete => $"\n# Would remove {delete.Path}\n",
                CreateDirectoryStep directory => $"\n# Would create the directory {directory.Path} (mode 0700) if missing\n",
                RunStep run => $"\n# Would run{(run.MayFail ? " (a failure is fine)" : string.Empty)}:\n{Format(run.Command)}\n",
                _ => string.Empty,
            });
        }

        foreach (var note in plan.Notes)
        {
            text.Append($"\n# Note: {note}\n");
        }

        return text.ToString();
    }

    private static string Under(string? root, string path) => root is null ? path : Path.Join(root, path);

    /// <summary>A command as a POSIX shell would read it back (quoted where needed), for the admin to copy.</summary>
    private static string Format(IReadOnlyList<string> command) =>
        string.Join(' ', command.Select(word => word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '-' or '_' or '=' or ':' or '@')
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));

    private static async Task<int> UnsupportedAsync(TextWriter error)
    {
        await error.WriteLineAsync($"traffic-monitor: install-service knows no service manager on {HostPlatform.Current.Name}; run `traffic-monitor run` from the system's own service manager").ConfigureAwait(false);
        return ExitCodes.BadCommandLine;
    }
}
