using TrafficMonitor.Configuration.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace TrafficMonitor.Configuration;

/// <summary>Loads and validates a settings file; every problem is reported at once by key path.</summary>
public static class ConfigLoader
{
    private static readonly Dictionary<string, CountMode> CountModes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["total"] = CountMode.Total,
        ["rx"] = CountMode.Rx,
        ["tx"] = CountMode.Tx,
        ["max"] = CountMode.Max,
    };

    private static readonly Dictionary<string, EmailSecurity> SecurityModes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["auto"] = EmailSecurity.Auto,
        ["starttls"] = EmailSecurity.StartTls,
        ["ssl"] = EmailSecurity.Ssl,
        ["none"] = EmailSecurity.None,
    };

    private static readonly Dictionary<string, string> EmailHints = new(StringComparer.Ordinal)
    {
        ["use_tls"] = "not supported (it meant TLS on connect, which fails on port 587): use email.security: auto, starttls, ssl or none",
        ["recipient"] = "unknown key; did you mean 'recipients' (a list)?",
    };

    private static readonly Dictionary<string, WebhookFormat> WebhookFormats = new(StringComparer.OrdinalIgnoreCase)
    {
        ["json"] = WebhookFormat.Json,
        ["discord"] = WebhookFormat.Discord,
        ["slack"] = WebhookFormat.Slack,
        ["ntfy"] = WebhookFormat.Ntfy,
    };

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
        var thresholds = ReadThresholds(top.Section(ThresholdsOptions.SectionName));
        var email = ReadEmail(top.Section(EmailOptions.SectionName), getEnvironment);
        var webhooks = ReadWebhooks(top);
        var telegram = ReadTelegram(top.Section(TelegramOptions.SectionName), getEnvironment);
        var notifications = ReadNotifications(top.Section(NotificationsOptions.SectionName));
        var monitor = ReadMonitor(top.Section(MonitorOptions.SectionName), defaultStateDir);
        var vnstat = ReadVnStat(top.Section(VnStatOptions.SectionName));
        var actions = top.Section("actions");
        var shutdown = ReadShutdown(actions.Section("shutdown"));
        actions.ReportUnknownKeys();
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

    private static ThresholdsOptions? ReadThresholds(SectionReader section)
    {
        if (!section.Exists)
        {
            section.Missing(string.Empty, "missing: add thresholds with total_limit, interval and critical_percentage");
        }

        var totalLimit = section.Size("total_limit");
        var interval = section.Size("interval");
        var critical = section.Number("critical_percentage");
        section.ReportUnknownKeys();
        if (!section.Exists)
        {
            return null;
        }

        var ok = true;
        if (totalLimit is null)
        {
            ok &= Require(section, "total_limit", "the billing period's quota, e.g. 2000 (GiB) or \"2 TB\"");
        }
        else if (totalLimit.Value.Bytes <= 0)
        {
            section.Problem("total_limit", "must be more than zero");
            ok = false;
        }

        if (interval is null)
        {
            ok &= Require(section, "interval", "how often to alert, e.g. 100 (GiB) or \"100 GB\"");
        }
        else if (interval.Value.Bytes <= 0)
        {
            section.Problem("interval", "must be more than zero");
            ok = false;
        }
        else if (totalLimit is { } limit && interval.Value.Bytes > limit.Bytes)
        {
            section.Problem("interval", $"{interval} is above thresholds.total_limit ({limit}): no stage would ever be reached");
            ok = false;
        }

        if (critical is null)
        {
            ok &= Require(section, "critical_percentage", "the percentage of total_limit at which the critical action runs, e.g. 90");
        }
        else if (critical <= 0 || critical > 100)
        {
            section.Problem("critical_percentage", $"{critical} is outside (0, 100]: use a percentage above 0 and at most 100");
            ok = false;
        }

        return ok
            ? new ThresholdsOptions { TotalLimit = totalLimit!.Value, Interval = interval!.Value, CriticalPercentage = critical!.Value }
            : null;
    }

    private static EmailOptions? ReadEmail(SectionReader section, Func<string, string?> getEnvironment)
    {
        var server = section.String("smtp_server");
        var port = section.Int("smtp_port", 1, 65535);
        var username = section.String("username");
        var password = ReadSecret(section, "password", "password_file",
            section.Exists && !string.IsNullOrEmpty(username) ? getEnvironment(EmailOptions.PasswordEnvironmentVariable) : null);
        var caFile = section.String("ca_file");
        var sender = section.String("sender");
        var recipients = section.StringList("recipients");
        var security = section.Choice("security", SecurityModes);
        var timeout = section.Duration("timeout");
        section.ReportUnknownKeys(EmailHints);
        if (!section.Exists)
        {
            return null;
        }

        var ok = true;
        if (string.IsNullOrWhiteSpace(server))
        {
            ok &= Require(section, "smtp_server", "the SMTP server's host name, e.g. smtp.example.com");
        }

        if (string.IsNullOrWhiteSpace(sender))
        {
            ok &= Require(section, "sender", "the From address, e.g. traffic-monitor@example.com");
        }

        if (recipients is null)
        {
            ok &= Require(section, "recipients", "a list of addresses to alert, e.g. [admin@example.com]");
        }
        else if (recipients.Count == 0)
        {
            section.Problem("recipients", "is empty: list at least one address to alert, e.g. [admin@example.com]");
            ok = false;
        }
        else
        {
            for (var i = 0; i < recipients.Count; i++)
            {
                if (!recipients[i].Contains('@', StringComparison.Ordinal))
                {
                    section.Problem("recipients", $"'{recipients[i]}' is not an email address");
                    ok = false;
                }
            }
        }

        if (password is not null && string.IsNullOrEmpty(username))
        {
            section.Problem(section.Has("password_file") ? "password_file" : "password",
                "is set but email.username is not: AUTH needs both (or remove the password to send without AUTH)");
            ok = false;
        }

        if (!string.IsNullOrEmpty(username) && password is null)
        {
            section.Problem("username", $"is set but no password is: AUTH needs both. Set email.password, email.password_file or {EmailOptions.PasswordEnvironmentVariable} (or remove the username to send without AUTH)");
            ok = false;
        }

        if (caFile is not null && CaFileProblem(caFile) is { } caProblem)
        {
            section.Problem("ca_file", caProblem);
            ok = false;
        }

        if (timeout is { } t && t <= TimeSpan.Zero)
        {
            section.Problem("timeout", "must be more than zero, e.g. 30s");
            ok = false;
        }

        return ok
            ? new EmailOptions
            {
                SmtpServer = server!.Trim(),
                SmtpPort = port ?? EmailOptions.DefaultPort,
                Username = string.IsNullOrEmpty(username) ? null : username,
                Password = password,
                Sender = sender!.Trim(),
                Recipients = recipients!,
                Security = security ?? EmailSecurity.Auto,
                Timeout = timeout ?? EmailOptions.DefaultTimeout,
                CaFile = caFile,
            }
            : null;
    }

    private static List<WebhookOptions> ReadWebhooks(SectionReader top)
    {
        var items = top.SectionList(WebhookOptions.SectionName) ?? [];
        var webhooks = new List<WebhookOptions>();
        foreach (var item in items)
        {
            var url = ReadSecret(item, "url", "url_file", null)?.Reveal();
            var format = item.Choice("format", WebhookFormats);
            var headers = item.StringMap("headers");
            var timeout = item.Duration("timeout");
            item.ReportUnknownKeys();
            if (!item.Exists)
            {
                continue;
            }

            var ok = true;
            if (string.IsNullOrWhiteSpace(url))
            {
                // A url_file that could not be read was reported by ReadSecret already.
                if (!item.Has("url_file"))
                {
                    Require(item, "url", "the webhook's address, e.g. https://hooks.example.com/... (or url_file: a file holding it)");
                }

                ok = false;
            }
            else if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                // The URL may embed a token, so the message never repeats it.
                item.Problem(item.Has("url_file") ? "url_file" : "url", "is not an http:// or https:// address");
                ok = false;
            }

            if (timeout is { } t && t <= TimeSpan.Zero)
            {
                item.Problem("timeout", "must be more than zero, e.g. 30s");
                ok = false;
            }

            if (ok)
            {
                webhooks.Add(new WebhookOptions
                {
                    Url = new Secret(url!.Trim()),
                    Format = format ?? WebhookFormat.Json,
                    Headers = (headers ?? []).ToDictionary(h => h.Key, h => new Secret(h.Value), StringComparer.OrdinalIgnoreCase),
                    Timeout = timeout ?? WebhookOptions.DefaultTimeout,
                });
            }
        }

        return webhooks;
    }

    private static TelegramOptions? ReadTelegram(SectionReader section, Func<string, string?> getEnvironment)
    {
        var token = ReadSecret(section, "bot_token", "bot_token_file", section.Exists ? getEnvironment(TelegramOptions.BotTokenEnvironmentVariable) : null);
        var chatId = section.String("chat_id");
        var apiUrl = section.String("api_url");
        var timeout = section.Duration("timeout");
        section.ReportUnknownKeys();
        if (!section.Exists)
        {
            return null;
        }

        var ok = true;
        if (token is null)
        {
            ok &= Require(section, "bot_token", $"the bot's token from @BotFather (or set telegram.bot_token_file or {TelegramOptions.BotTokenEnvironmentVariable})");
        }

        if (string.IsNullOrWhiteSpace(chatId))
        {
            ok &= Require(section, "chat_id", "the chat to message, e.g. 123456789 or @mychannel");
        }

        Uri? api = null;
        if (apiUrl is not null && (!Uri.TryCreate(apiUrl.Trim(), UriKind.Absolute, out api) || (api.Scheme != Uri.UriSchemeHttps && api.Scheme != Uri.UriSchemeHttp)))
        {
            section.Problem("api_url", $"'{apiUrl}' is not an http:// or https:// address (default: {TelegramOptions.DefaultApiUrl})");
            ok = false;
        }

        if (timeout is { } t && t <= TimeSpan.Zero)
        {
            section.Problem("timeout", "must be more than zero, e.g. 30s");
            ok = false;
        }

        return ok
            ? new TelegramOptions
            {
                BotToken = token!,
                ChatId = chatId!.Trim(),
                ApiUrl = api ?? TelegramOptions.DefaultApiUrl,
                Timeout = timeout ?? TelegramOptions.DefaultTimeout,
            }
            : null;
    }

    private static NotificationsOptions ReadNotifications(SectionReader section)
    {
        var expire = section.Duration("expire");
        var degradedAfter = section.Int("degraded_after", 1, 10_000);
        var dailyReport = section.String("daily_report");
        section.ReportUnknownKeys();
        if (expire is { } e && e <= TimeSpan.Zero)
        {
            section.Problem("expire", "must be more than zero, e.g. 3d");
        }

        TimeOnly? reportAt = null;
        if (dailyReport is not null)
        {
            if (TimeOnly.TryParseExact(dailyReport.Trim(), ["H:mm", "HH:mm"], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var at))
            {
                reportAt = at;
            }
            else
            {
                section.Problem("daily_report", $"'{dailyReport}' is not a time of day: write it as \"08:00\" (24-hour, local time)");
            }
        }

        return new NotificationsOptions
        {
            Expire = expire ?? NotificationsOptions.DefaultExpire,
            DegradedAfter = degradedAfter ?? NotificationsOptions.DefaultDegradedAfter,
            DailyReport = reportAt,
        };
    }

    private static string? CaFileProblem(string caFile)
    {
        const string What = "name a PEM file with the CA certificate(s) that signed the SMTP server's certificate";
        try
        {
            var certificates = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
            certificates.ImportFromPemFile(caFile);
            return certificates.Count == 0 ? $"'{caFile}' holds no PEM certificate: {What}" : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            return $"'{caFile}' cannot be read as PEM certificates ({e.Message}): {What}";
        }
    }

    /// <summary>
    /// A secret from the YAML value, a file named by <paramref name="fileKey"/>, or the environment, in that order.
    /// Messages never include the secret itself.
    /// </summary>
    private static Secret? ReadSecret(SectionReader section, string valueKey, string fileKey, string? fromEnvironment)
    {
        var value = section.String(valueKey);
        var file = section.String(fileKey);
        if (value is not null && file is not null)
        {
            section.Problem(fileKey, $"is set as well as {section.KeyPath(valueKey)}: keep only one");
            return null;
        }

        if (value is not null)
        {
            return new Secret(value);
        }

        if (file is not null)
        {
            try
            {
                // Files written by echo or an editor end with a newline that is no part of the secret.
                var content = File.ReadAllText(file).TrimEnd('\r', '\n');
                if (content.Length == 0)
                {
                    section.Problem(fileKey, $"'{file}' is empty");
                    return null;
                }

                return new Secret(content);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                section.Problem(fileKey, $"'{file}' cannot be read: {e.Message}");
                return null;
            }
        }

        return string.IsNullOrEmpty(fromEnvironment) ? null : new Secret(fromEnvironment);
    }

    private static MonitorOptions ReadMonitor(SectionReader section, string defaultStateDir)
    {
        var provider = section.String("provider");
        var interfaces = section.StringList("interfaces");
        var count = section.Choice("count", CountModes);
        var checkInterval = section.Duration("check_interval");
        var resetDay = section.Int("reset_day", MonitorOptions.MinResetDay, MonitorOptions.MaxResetDay);
        var stateDir = section.String("state_dir");
        var checkpointInterval = section.Duration("checkpoint_interval");
        var adjustPercent = section.Number("adjust_percent");
        var fastChecks = section.Bool("fast_checks");
        section.ReportUnknownKeys();

        if (provider is not null && !MonitorOptions.KnownProviders.Contains(provider.Trim().ToLowerInvariant()))
        {
            section.Problem("provider", $"'{provider}' is not a known provider: use {string.Join(", ", MonitorOptions.KnownProviders)}");
        }

        if (checkInterval is { } interval && interval < MonitorOptions.MinCheckInterval)
        {
            section.Problem("check_interval", $"{DurationParser.Format(interval)} is too short: use at least {DurationParser.Format(MonitorOptions.MinCheckInterval)}");
        }

        if (checkpointInterval is { } checkpoint && checkpoint < MonitorOptions.MinCheckpointInterval)
        {
            section.Problem("checkpoint_interval", $"{DurationParser.Format(checkpoint)} is too short: use at least {DurationParser.Format(MonitorOptions.MinCheckpointInterval)}");
        }

        if (adjustPercent is { } adjust && (adjust < MonitorOptions.MinAdjustPercent || adjust > MonitorOptions.MaxAdjustPercent))
        {
            section.Problem("adjust_percent", $"{adjust} is outside [{MonitorOptions.MinAdjustPercent}, {MonitorOptions.MaxAdjustPercent}]: e.g. 3 counts 3% more than the interfaces moved");
        }

        return new MonitorOptions
        {
            Provider = provider?.Trim().ToLowerInvariant() ?? MonitorOptions.AutoProvider,
            CheckpointInterval = checkpointInterval ?? MonitorOptions.DefaultCheckpointInterval,
            AdjustPercent = adjustPercent ?? 0,
            FastChecks = fastChecks ?? true,
            Interfaces = interfaces ?? [],
            Count = count ?? CountMode.Total,
            CheckInterval = checkInterval ?? MonitorOptions.DefaultCheckInterval,
            ResetDay = resetDay ?? MonitorOptions.MinResetDay,
            StateDir = string.IsNullOrWhiteSpace(stateDir) ? defaultStateDir : stateDir,
        };
    }

    private static VnStatOptions ReadVnStat(SectionReader section)
    {
        var command = section.String("command");
        var dbDir = section.String("dbdir");
        var config = section.String("config");
        section.ReportUnknownKeys();
        if (command is not null && string.IsNullOrWhiteSpace(command))
        {
            section.Problem("command", "is empty: name the vnstat program, e.g. vnstat or /usr/bin/vnstat");
        }

        return new VnStatOptions
        {
            Command = string.IsNullOrWhiteSpace(command) ? VnStatOptions.DefaultCommand : command,
            DbDir = dbDir,
            Config = config,
        };
    }

    private static ShutdownActionOptions ReadShutdown(SectionReader section)
    {
        var enabled = section.Bool("enabled");
        var delay = section.Duration("delay");
        var commandIsScalar = section.IsScalar("command");
        var command = section.StringList("command");
        var bootGrace = section.Duration("boot_grace");
        section.ReportUnknownKeys();

        if (commandIsScalar && command is [var single] && single.Contains(' ', StringComparison.Ordinal))
        {
            section.Problem("command", $"'{single}' is one string with spaces, and commands run without a shell: write it as a list, e.g. [\"/usr/sbin/shutdown\", \"-h\", \"+1\"]");
        }

        if (delay is { } d && d < TimeSpan.Zero)
        {
            section.Problem("delay", "must not be negative");
        }

        if (bootGrace is { } g && g < TimeSpan.Zero)
        {
            section.Problem("boot_grace", "must not be negative");
        }

        return new ShutdownActionOptions
        {
            Enabled = enabled ?? true,
            Delay = delay ?? ShutdownActionOptions.DefaultDelay,
            Command = command ?? [],
            BootGrace = bootGrace ?? ShutdownActionOptions.DefaultBootGrace,
        };
    }

    /// <summary>Reports a required key as missing, unless it is present and its bad value was reported already.</summary>
    private static bool Require(SectionReader section, string key, string what)
    {
        if (!section.Has(key))
        {
            section.Missing(key, $"missing: {what}");
        }

        return false;
    }

    // YamlDotNet prefixes messages with "(Line: 3, Col: 5, Idx: 40) - (Line...): "; we print line and column ourselves.
    private static string StripMark(string message)
    {
        var index = message.LastIndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line", StringComparison.Ordinal) && index >= 0 ? message[(index + 3)..] : message;
    }
}
