using System.Runtime.CompilerServices;

namespace TrafficMonitor.Tests.Components;

internal static class TestEnvironment
{
    /// <summary>
    /// What the monitor keeps for one boot (under /run when root) goes to the test output instead, for the monitors
    /// the tests start in-process and as child processes: the host's /run is never touched.
    /// </summary>
    [ModuleInitializer]
    internal static void KeepRuntimeFilesInTheTestOutput()
    {
        var runtime = Path.Combine(AppContext.BaseDirectory, "runtime");
        Directory.CreateDirectory(runtime);
        Environment.SetEnvironmentVariable("RUNTIME_DIRECTORY", runtime);
    }
}
