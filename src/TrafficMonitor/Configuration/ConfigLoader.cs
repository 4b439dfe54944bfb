using System.Buffers;
using System.Text;
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
        if (Directory.Exists(path))
        {
            throw new ConfigException(path, [new ConfigProblem("(file)", "is a directory, not a settings file")]);
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(path, [new ConfigProblem("(file)", $"cannot be read: {Quoted.Reason(e)}")]);
        }

        return Parse(Decode(bytes, path), path, defaultStateDir, getEnvironment);
    }

    /// <summary>
    /// UTF-8 (with or without a byte order mark), or UTF-16/32 with one, as before. Bytes that are not UTF-8 are an
    /// error naming their line, where a lenient read would have turned them into U+FFFD inside a value.
    /// </summary>
    private static string Decode(byte[] bytes, string path)
    {
        if (bytes is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..] or [0x00, 0x00, 0xFE, 0xFF, ..])
        {
            using var reader = new StreamReader(new MemoryStream(bytes), detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }

        var text = bytes.AsSpan(bytes is [0xEF, 0xBB, 0xBF, ..] ? 3 : 0);
        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(text);
        }
        catch (DecoderFallbackException)
        {
            var (line, column, value) = FirstInvalidByte(text);
            throw new ConfigException(path, [new ConfigProblem("(file)", $"is not UTF-8 text here (byte 0x{value:X2}): save the file as UTF-8", line, column)]);
        }
    }

    /// <summary>The line and column (in bytes, from 1) of the first byte that does not start or continue valid UTF-8.</summary>
    private static (int Line, int Column, byte Value) FirstInvalidByte(ReadOnlySpan<byte> bytes)
    {
        var line = 1;
        var lineStart = 0;
        var index = 0;
        while (index < bytes.Length)
        {
            var status = Rune.DecodeFromUtf8(bytes[index..], out var rune, out var consumed);
            if (status != OperationStatus.Done)
            {
                return (line, index - lineStart + 1, bytes[index]);
            }

            if (rune.Value == '\n')
            {
                line++;
                lineStart = index + 1;
            }

            index += consumed;
        }

        return (line, index - lineStart + 1, 0);
    }

    /// <param name="platform">The OS the settings are for (a step kind may need Linux); default: this one.</param>
    public static TrafficMonitorSettings Parse(
        string yaml, string sourcePath, string defaultStateDir, Func<string, string?>? getEnvironment = null, Platform.HostPlatform? platform = null)
    {
        getEnvironment ??= static _ => null;
        var problems = new List<ConfigProblem>();
        YamlNode? root = null;
        var scanner = new Scanner(new StringReader(yaml));
        try
        {
            var stream = new YamlStream();
            stream.Load(new YamlLimits(new Parser(scanner)));
            root = stream.Documents.Count > 0 ? stream.Documents[0].RootNode : null;
        }
        catch (YamlLimitException e)
        {
            throw new ConfigException(sourcePath, [e.Problem]);
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
        var (shutdown, rules) = ActionsSection.Read(top, thresholds, platform ?? Platform.HostPlatform.Current);
        var providerApi = ProviderApiSection.Read(top, thresholds, monitor, getEnvironment);
        var metrics = MetricsSection.Read(top);
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
            Rules = rules,
            ProviderApi = providerApi,
            Metrics = metrics,
        };
    }

    // YamlDotNet prefixes messages with "(Line: 3, Col: 5, Idx: 40) - (Line...): "; we print line and column ourselves.
    private static string StripMark(string message)
    {
        var index = message.LastIndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line", StringComparison.Ordinal) && index >= 0 ? message[(index + 3)..] : message;
    }
}
