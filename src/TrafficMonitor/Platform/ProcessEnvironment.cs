namespace TrafficMonitor.Platform;

/// <summary>
/// What the per-OS default paths depend on, passed in so that tests can ask any <see cref="HostPlatform"/> for its
/// paths with made-up folders, on any OS.
/// </summary>
public sealed record ProcessEnvironment(
    string UserProfile,
    string CommonApplicationData,
    bool IsPrivileged,
    Func<string, string?> GetVariable)
{
    /// <summary>This process, read at each call: an environment variable set since is seen, as before.</summary>
    public static ProcessEnvironment Current => new(
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
        Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData),
        Environment.IsPrivilegedProcess,
        Environment.GetEnvironmentVariable);

    /// <summary>
    /// This process runs the native (ahead-of-time compiled) binary, not the JIT runtime. Not
    /// RuntimeFeature.IsDynamicCodeSupported: PublishAot in the project sets that switch false in JIT builds too; only the
    /// JIT runtime's host hands over the list of trusted assemblies.
    /// </summary>
    public static bool IsNativeCode => AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is null;
}
