using TrafficMonitor.Configuration.Sections;
using TrafficMonitor.Configuration.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace TrafficMonitor.Configuration;

/// <summary>Loads and validates a settings file; every problem is reported at once by key path.</summary>
public static class ConfigLoader
{
    /// <param name="getEnvironment">Where secrets named in the docs (e.g. TRAFFIC_MONITOR_SMTP_PASSWORD) are looked up; null: nowhere.</param>
    public static TrafficMonitorSettings Load(string path, string defaultStateDir, Func<string, string?>? getEnvironment = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(path, [new ConfigProblem("(file)", $"cannot be read: {e.Message}")]);
        }

        return Parse(text, path, defaultStateDir, getEnvironment);
    }

    public static TrafficMonitorSettings Parse(string yaml, string sourcePath, string defaultStateDir, Func<string, string?>? getEnvironment = null)
    {
        getEnvironment ??= static _ => null;
        if (YamlLimits.Check(yaml) is { } limit)
        {
            throw new ConfigException(sourcePath, [limit]);
        }

        var problems = new List<ConfigProblem>();
        YamlNode? root = null;
        var scanner = new Scanner(new StringReader(yaml));
        try
        {
            var stream = new YamlStream();
            stream.Load(new Parser(scanner));
            root = stream.Documents.Count > 0 ? stream.Documents[0].RootNode : null;
        }
        catch (YamlException e)
        {
            var reason = e.InnerException?.Message ?? e.Message;
            problems.Add(new ConfigProblem("(yaml)", $"syntax error: {StripMark(reason)}", (int)e.Start.Line, (int)e.Start.Column));
            throw new ConfigException(sourcePath, problems);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet throws this instead of a YamlException on some malformed input (an unclosed [ or {).
            var at = scanner.CurrentPosition;
            problems.Add(new ConfigProblem("(yaml)", "syntax error: the YAML is malformed here (an unclosed [ or {, or bad indentation?)", (int)at.Line, (int)at.Column));
            throw new ConfigException(sourcePath, problems);
        }

        if (root is null)
        {
            throw new ConfigException(sourcePath, [new ConfigProblem("(file)", "is empty: it needs at least a thresholds section (total_limit, interval, critical_percentage)")]);
        }

        var top = new SectionReader(root, string.Empty, problems);
        // Each section reads, checks and reports its own keys, in the order check-config prints them; unknown
        // top-level keys can only be told once every section has claimed its name.
        var thresholds = ThresholdsSection.Read(top);
        var email = EmailSection.Read(top, getEnvironment);
        var webhooks = WebhooksSection.Read(top);
        var telegram = TelegramSection.Read(top, getEnvironment);
        var notifications = NotificationsSection.Read(top);
        var monitor = MonitorSection.Read(top, defaultStateDir);
        var vnstat = VnStatSection.Read(top);
        var shutdown = ShutdownSection.Read(top);
        top.ReportUnknownKeys();

        if (problems.Count > 0 || thresholds is null)
        {
            throw new ConfigException(sourcePath, problems);
        }

        return new TrafficMonitorSettings
        {
            SourcePath = sourcePath,
            Thresholds = thresholds,
            Email = email,
            Webhooks = webhooks,
            Telegram = telegram,
            Notifications = notifications,
            Monitor = monitor,
            VnStat = vnstat,
            Shutdown = shutdown,
        };
    }

    // YamlDotNet prefixes messages with "(Line: 3, Col: 5, Idx: 40) - (Line...): "; we print line and column ourselves.
    private static string StripMark(string message)
    {
        var index = message.LastIndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line", StringComparison.Ordinal) && index >= 0 ? message[(index + 3)..] : message;
    }
}
