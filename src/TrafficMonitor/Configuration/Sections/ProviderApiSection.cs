using System.Globalization;
using System.Text;
using TrafficMonitor.Configuration.Yaml;
using static TrafficMonitor.Configuration.Sections.SettingsText;

namespace TrafficMonitor.Configuration.Sections;

/// <summary>The optional <c>provider_api</c> section: the provider's own traffic meter (Hetzner Cloud, KiwiVM).</summary>
internal static class ProviderApiSection
{
    /// <param name="thresholds">Read before, to check that <c>total_limit: provider</c> has a provider to ask; null when invalid.</param>
    /// <param name="getEnvironment">Where <see cref="ProviderApiOptions.TokenEnvironmentVariable"/> is looked up.</param>
    /// <returns>Null when the file has no provider_api section, or it is invalid (the problems say why).</returns>
    public static ProviderApiOptions? Read(SectionReader top, ThresholdsOptions? thresholds, MonitorOptions monitor, Func<string, string?> getEnvironment)
    {
        var section = top.Section(ProviderApiOptions.SectionName);
        var kindText = section.String("kind");
        var token = section.Secret("token", "token_file", section.Exists ? getEnvironment(ProviderApiOptions.TokenEnvironmentVariable) : null);
        var serverId = section.String("server_id");
        var veid = section.String("veid");
        var apiUrl = section.String("api_url");
        var poll = section.Duration("poll", ProviderApiOptions.MaxPoll);
        var timeout = section.Duration("timeout", ProviderApiOptions.MaxTimeout);
        var tolerance = section.Number("tolerance");
        section.ReportUnknownKeys();
        CheckAdoption(top, section, thresholds, monitor, kindText?.Trim().ToLowerInvariant());
        if (!section.Exists)
        {
            return null;
        }

        var ok = true;
        var kind = kindText?.Trim().ToLowerInvariant();
        if (kindText is null)
        {
            ok &= section.Require("kind", $"which provider's API to read: {string.Join(" or ", ProviderApiOptions.KnownKinds)}");
        }
        else if (!ProviderApiOptions.KnownKinds.Contains(kind))
        {
            section.Problem("kind", $"{Quoted.Value(kindText)} is not a known provider API: use {string.Join(" or ", ProviderApiOptions.KnownKinds)}");
            ok = false;
        }

        if (token is null)
        {
            ok &= section.Require("token", $"the API token (or set provider_api.token_file or {ProviderApiOptions.TokenEnvironmentVariable})");
        }

        // Each provider names its server its own way; the other key is a mistake, not a fallback.
        var (idKey, otherKey, id, other) = kind == ProviderApiOptions.KiwiVmKind ? ("veid", "server_id", veid, serverId) : ("server_id", "veid", serverId, veid);
        if (other is not null && kind is not null && ProviderApiOptions.KnownKinds.Contains(kind))
        {
            section.Problem(otherKey, $"is not used by {kind}: name the server in provider_api.{idKey}");
            ok = false;
        }

        if (string.IsNullOrWhiteSpace(id))
        {
            ok &= section.Require(idKey, kind == ProviderApiOptions.KiwiVmKind ? "the VPS's VEID, from KiwiVM's API page" : "the server's id, e.g. 42 (hcloud server list)");
        }
        else if (!id.Trim().All(char.IsAsciiDigit))
        {
            section.Problem(idKey, $"{Quoted.Value(id)} is not a number: use the numeric id");
            ok = false;
        }

        ok &= section.HttpUrl("api_url", apiUrl, $"{Quoted.Value(UrlMask.HideCredentials(apiUrl ?? string.Empty))} is not an http:// or https:// address (default: {ProviderApiOptions.DefaultApiUrl(kind ?? string.Empty)})", out var api);
        if (poll is { } p && p < ProviderApiOptions.MinPoll)
        {
            section.Problem("poll", $"{DurationParser.Format(p)} is too often: use at least {DurationParser.Format(ProviderApiOptions.MinPoll)} (providers limit requests; their meters move slower)");
            ok = false;
        }

        ok &= section.Positive("timeout", timeout);
        if (tolerance is { } t && (t <= 0 || t > 100))
        {
            section.Problem("tolerance", $"{t} is outside (0, 100]: the percent by which the own count may differ from the provider's, e.g. 5");
            ok = false;
        }

        return ok
            ? new ProviderApiOptions
            {
                Kind = kind!,
                Token = token!,
                ServerId = id!.Trim(),
                ApiUrl = api ?? ProviderApiOptions.DefaultApiUrl(kind!),
                Poll = poll ?? ProviderApiOptions.DefaultPoll,
                Timeout = timeout ?? ProviderApiOptions.DefaultTimeout,
                TolerancePercent = tolerance ?? ProviderApiOptions.DefaultTolerancePercent,
            }
            : null;
    }

    /// <summary><c>total_limit: provider</c> and <c>reset_day: provider</c> need a provider whose API gives them.</summary>
    private static void CheckAdoption(SectionReader top, SectionReader section, ThresholdsOptions? thresholds, MonitorOptions monitor, string? kind)
    {
        if (thresholds is { LimitFromProvider: true } && !section.Exists)
        {
            top.Section(ThresholdsOptions.SectionName).Problem("total_limit", "is provider, but there is no provider_api section to read the limit from: add one, or write the limit, e.g. 2000 (GiB)");
        }

        if (monitor.ResetDayFromProvider)
        {
            if (!section.Exists)
            {
                top.Section(MonitorOptions.SectionName).Problem("reset_day", "is provider, but there is no provider_api section to read it from: add one (kind: kiwivm), or write the day, 1–31");
            }
            else if (kind is not null && ProviderApiOptions.KnownKinds.Contains(kind) && !ProviderApiOptions.GivesResetDay(kind))
            {
                top.Section(MonitorOptions.SectionName).Problem("reset_day", $"is provider, but {kind}'s API does not say when the period resets: write the day, 1–31");
            }
        }
    }

    public static void Print(ProviderApiOptions? api, StringBuilder text)
    {
        if (api is null)
        {
            text.AppendLine("provider_api: (none)");
            return;
        }

        text.AppendLine("provider_api:");
        Line(text, 1, "kind", $"{api.Kind}   # billed: {Billing(api.Kind)}");
        Line(text, 1, "token", api.Token.ToString());
        Line(text, 1, api.ServerIdKey, api.ServerId);
        Line(text, 1, "api_url", UrlMask.HideCredentials(api.ApiUrl));
        Line(text, 1, "poll", DurationParser.Format(api.Poll));
        Line(text, 1, "timeout", DurationParser.Format(api.Timeout));
        Line(text, 1, "tolerance", $"{api.TolerancePercent.ToString(CultureInfo.InvariantCulture)}   # percent the own count may differ before you are told");
    }

    public static IEnumerable<string> Warnings(TrafficMonitorSettings settings)
    {
        if (settings.ProviderApi is { Kind: ProviderApiOptions.HetznerKind } && settings.Monitor.Count != CountMode.Tx)
        {
            yield return $"provider_api.kind is hetzner, which bills outgoing traffic only: the decision counts sent bytes, and monitor.count ({settings.Monitor.Count.ToString().ToLowerInvariant()}) is not used; set monitor.count: tx to say so";
        }
    }

    private static string Billing(string kind) => kind == ProviderApiOptions.HetznerKind
        ? "outgoing traffic only (server.outgoing_traffic + sent since)"
        : "the plan's data counter × monthly_data_multiplier (+ counted since, as monitor.count)";
}
