namespace TrafficMonitor.Configuration.Yaml;

/// <summary>
/// What several sections read or check alike. A section calls the checks after <see cref="ReportUnknownKeys"/>,
/// in its own order, so the problems keep the order they have always been listed in; each check returns false
/// when the section cannot be used.
/// </summary>
internal sealed partial class SectionReader
{
    /// <summary>
    /// A secret from the YAML value, a file named by <paramref name="fileKey"/>, or the environment, in that order.
    /// Messages never include the secret itself.
    /// </summary>
    public Secret? Secret(string valueKey, string fileKey, string? fromEnvironment)
    {
        var value = String(valueKey);
        var file = String(fileKey);
        if (value is not null && file is not null)
        {
            Problem(fileKey, $"is set as well as {KeyPath(valueKey)}: keep only one");
            return null;
        }

        if (value is not null)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                Problem(valueKey, $"is empty: write the value, or name a file holding it in {KeyPath(fileKey)}");
                return null;
            }

            return new Secret(value);
        }

        if (file is not null)
        {
            try
            {
                // Files written by echo or an editor end with a newline that is no part of the secret.
                var content = File.ReadAllText(file).TrimEnd('\r', '\n');
                if (string.IsNullOrWhiteSpace(content))
                {
                    Problem(fileKey, $"{Quoted.Value(file)} is empty");
                    return null;
                }

                return new Secret(content);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Problem(fileKey, $"{Quoted.Value(file)} cannot be read: {Quoted.Reason(e)}");
                return null;
            }
        }

        return string.IsNullOrEmpty(fromEnvironment) ? null : new Secret(fromEnvironment);
    }

    /// <summary>
    /// Reports a required key as missing, or as empty when it holds only blanks, unless its bad value was reported
    /// already. Returns false, so <c>ok &amp;= section.Require(...)</c> marks the section invalid either way: a
    /// section is never dropped without a problem that says why.
    /// </summary>
    public bool Require(string key, string what)
    {
        if (!Has(key))
        {
            Missing(key, $"missing: {what}");
        }
        else if (!_problems.Any(p => p.Path == KeyPath(key)) && String(key) is { } text && string.IsNullOrWhiteSpace(text))
        {
            Problem(key, $"is empty: write {what}");
        }

        return false;
    }

    /// <summary>A text value that may be left out but, when given, must not be blank (a path, a name).</summary>
    public string? NonBlankString(string key, string instead)
    {
        var text = String(key);
        if (text is not null && string.IsNullOrWhiteSpace(text))
        {
            Problem(key, $"is empty: {instead}");
            return null;
        }

        return text;
    }

    /// <summary>Checks a duration that must be more than zero; <paramref name="example"/> goes into the message.</summary>
    public bool Positive(string key, TimeSpan? value, string example = "30s")
    {
        if (value is { } v && v <= TimeSpan.Zero)
        {
            Problem(key, $"must be more than zero, e.g. {example}");
            return false;
        }

        return true;
    }

    public bool NotNegative(string key, TimeSpan? value)
    {
        if (value is { } v && v < TimeSpan.Zero)
        {
            Problem(key, "must not be negative");
            return false;
        }

        return true;
    }

    /// <summary>
    /// Checks an http:// or https:// address, when there is one; <paramref name="uri"/> is null unless it is a
    /// good one. The message is the caller's: a URL that may embed a token must not be repeated in it.
    /// </summary>
    public bool HttpUrl(string key, string? text, string message, out Uri? uri)
    {
        uri = null;
        if (text is null || (Uri.TryCreate(text.Trim(), UriKind.Absolute, out uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
        {
            return true;
        }

        uri = null;
        Problem(key, message);
        return false;
    }
}
