// The tests drive Linux components: vnStat, aiosmtpd, network namespaces, shell-script recorders.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
