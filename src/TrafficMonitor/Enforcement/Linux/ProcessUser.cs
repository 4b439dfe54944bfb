using System.Globalization;

namespace TrafficMonitor.Enforcement.Linux;

/// <summary>The uid the monitor runs as: <c>block</c> and <c>quota</c> let its sockets out so alerts still go.</summary>
public static class ProcessUser
{
    public static string EffectiveUid() => ParseEffectiveUid(File.ReadAllText("/proc/self/status"));

    /// <summary>From <c>/proc/PID/status</c>: "Uid:" lists the real, effective, saved and filesystem uid.</summary>
    public static string ParseEffectiveUid(string status)
    {
        foreach (var line in status.Split('\n'))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                var fields = line["Uid:".Length..].Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length >= 2 && uint.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    return fields[1];
                }
            }
        }

        throw new FormatException("no Uid: line in the process status");
    }
}
