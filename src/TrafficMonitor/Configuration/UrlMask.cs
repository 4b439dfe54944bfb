using System.Text.RegularExpressions;

namespace TrafficMonitor.Configuration;

/// <summary>
/// Shows URLs without their secrets: credentials (<c>user:pass@</c>) always become <see cref="Secret.Mask"/>, so an
/// admin still sees that the URL carries some; a webhook URL also loses its path and query, where tokens live.
/// </summary>
public static partial class UrlMask
{
    private const string MaskedCredentials = Secret.Mask + "@";

    /// <summary>Scheme, credentials masked, host and port: <c>https://********@hooks.example.com:443/********</c>.</summary>
    public static string Mask(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Host.Length > 0 ? Mask(uri) : Secret.Mask;

    /// <inheritdoc cref="Mask(string)"/>
    public static string Mask(Uri uri) => $"{uri.Scheme}://{Credentials(uri)}{uri.Authority}/{Secret.Mask}";

    /// <summary>The whole URL with only its credentials masked: for addresses whose path holds no token (telegram.api_url).</summary>
    public static string HideCredentials(Uri uri) =>
        uri.UserInfo.Length == 0 ? uri.ToString() : new UriBuilder(uri) { UserName = Secret.Mask, Password = string.Empty }.Uri.ToString();

    /// <summary>Text that may not even parse as a URL (a value quoted in a settings error), with anything like credentials masked.</summary>
    public static string HideCredentials(string text) => CredentialsPattern().Replace(text, "//" + MaskedCredentials);

    private static string Credentials(Uri uri) => uri.UserInfo.Length == 0 ? string.Empty : MaskedCredentials;

    [GeneratedRegex("//[^/?#@]*@")]
    private static partial Regex CredentialsPattern();
}
