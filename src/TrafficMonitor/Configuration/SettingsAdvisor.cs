namespace TrafficMonitor.Configuration;

/// <summary>Valid settings that are still probably not what the admin wants (placeholders, rounding); said at start and by check-config.</summary>
public static class SettingsAdvisor
{
    private static readonly string[] PlaceholderDomains = ["example.com", "example.org", "example.net"];
    private static readonly string[] PlaceholderSuffixes = [".example", ".test", ".invalid", ".localhost"];

    public static IReadOnlyList<string> Warnings(TrafficMonitorSettings settings)
    {
        var warnings = new List<string>();
        if (settings.Email is { } email)
        {
            if (IsPlaceholder(email.SmtpServer))
            {
                warnings.Add($"email.smtp_server: {email.SmtpServer} is a placeholder, so alerts cannot be delivered: set your SMTP server");
            }

            foreach (var recipient in email.Recipients.Where(r => IsPlaceholder(r[(r.IndexOf('@', StringComparison.Ordinal) + 1)..])))
            {
                warnings.Add($"email.recipients: {recipient} is a placeholder address: set the admin's address");
            }
        }

        for (var i = 0; i < settings.Webhooks.Count; i++)
        {
            if (Uri.TryCreate(settings.Webhooks[i].Url.Reveal(), UriKind.Absolute, out var uri) && IsPlaceholder(uri.Host))
            {
                warnings.Add($"webhooks[{i}].url: {settings.Webhooks[i].DisplayUrl} is a placeholder, so alerts cannot be delivered: set your webhook's address");
            }
        }

        if (settings.Email is null && settings.Webhooks.Count == 0 && settings.Telegram is null)
        {
            warnings.Add("no notification channel (email, webhooks, telegram), so alerts only go to the log: add one to be told");
        }

        var delay = settings.Shutdown.Delay;
        if (!OperatingSystem.IsWindows() && delay > TimeSpan.Zero && delay.TotalSeconds % 60 != 0)
        {
            warnings.Add($"actions.shutdown.delay: {DurationParser.Format(delay)} is rounded up to {Math.Ceiling(delay.TotalMinutes)} min, as shutdown takes whole minutes");
        }

        return warnings;
    }

    private static bool IsPlaceholder(string host)
    {
        var name = host.Trim().TrimEnd('.').ToLowerInvariant();
        return PlaceholderDomains.Any(d => name == d || name.EndsWith("." + d, StringComparison.Ordinal))
            || PlaceholderSuffixes.Any(s => name.EndsWith(s, StringComparison.Ordinal));
    }
}
