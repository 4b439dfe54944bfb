namespace TrafficMonitor.Configuration;

/// <summary>
/// A password or token. <see cref="ToString"/> is masked so a secret that slips into a log line, an exception
/// message or printed settings shows as asterisks; only the code that must hand it on reads <see cref="Reveal"/>.
/// </summary>
public sealed class Secret(string value)
{
    public const string Mask = "********";

    public string Reveal() => value;

    public override string ToString() => Mask;
}
