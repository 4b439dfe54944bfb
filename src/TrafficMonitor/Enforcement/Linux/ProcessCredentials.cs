using System.Globalization;

namespace TrafficMonitor.Enforcement.Linux;

/// <summary>The effective uid and gid the monitor runs as: <c>block</c> and <c>quota</c> let its sockets out.</summary>
public sealed record ProcessCredentials(string Uid, string Gid)
{
    public const string Root = "0";

    public static ProcessCredentials Current() => Parse(File.ReadAllText("/proc/self/status"));

    /// <summary>From <c>/proc/PID/status</c>: "Uid:" and "Gid:" list the real, effective, saved and filesystem ids.</summary>
    public static ProcessCredentials Parse(string status) => new(Effective(status, "Uid:"), Effective(status, "Gid:"));

    private static string Effective(string status, string label)
    {
        foreach (var line in status.Split('\n'))
        {
            if (line.StartsWith(label, StringComparison.Ordinal))
            {
                var fields = line[label.Length..].Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length >= 2 && uint.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    return fields[1];
                }
            }
        }

        throw new FormatException($"no {label} line in the process status");
    }
}
