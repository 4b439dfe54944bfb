using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Build;

/// <summary>The .deb that eng/build-deb.sh makes from the published native binary.</summary>
public static class DebianPackage
{
    public static string Build(NativeBinary binary, string version, string output) =>
        Programs.Run(Path.Combine(binary.RepositoryRoot, "eng", "build-deb.sh"), "--binary", binary.Path, "--version", version, "--output", output).Trim();

    /// <summary>The package's Depends: field as written.</summary>
    public static string Depends(string deb) => Programs.Run("dpkg-deb", "--field", deb, "Depends");

    /// <summary>The names of the packages Depends: lists, without their versions.</summary>
    public static string[] DependedOn(string deb) => [.. Depends(deb).Split(',').Select(d => d.Trim().Split(' ')[0])];
}
