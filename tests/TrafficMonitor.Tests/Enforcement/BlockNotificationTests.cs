using System.Diagnostics;
using System.Text;
using TrafficMonitor.Enforcement.Linux;
using TrafficMonitor.Platform;
using TrafficMonitor.Quota;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Enforcement;

/// <summary>
/// The alert still gets out under the block: the real program's <c>test-notify</c>, run in namespace A in the
/// monitor's group, reaches an SMTP server in namespace B; the same program in group root is blocked.
/// </summary>
public sealed class BlockNotificationTests : IDisposable
{
    private const string MonitorGroup = "65534";
    private const int SmtpPort = 2525;

    private readonly NetworkNamespacePair _net = new();
    private readonly TempDirectory _dir = new();
    private readonly StringBuilder _received = new();
    private readonly Process _smtp;

    public BlockNotificationTests()
    {
        try
        {
            _smtp = StartSmtpServer();
        }
        catch
        {
            // xUnit does not dispose a test class whose constructor threw: the namespaces must not outlive it.
            _net.Dispose();
            _dir.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (!_smtp.HasExited)
        {
            _smtp.Kill(entireProcessTree: true);
            _smtp.WaitForExit(5000);
        }

        _smtp.Dispose();
        _net.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task TestNotify_UnderTheBlock_ReachesTheSmtpServerFromTheMonitorsGroupOnly()
    {
        var config = _dir.Write("settings.yaml", TestSettings.Yaml(
            _dir.Combine("state"),
            extra: $"email:\n  smtp_server: {NetworkNamespacePair.AddressB}\n  smtp_port: {SmtpPort}\n  security: none\n  sender: monitor@test.invalid\n  recipients: [admin@test.invalid]\n  timeout: 3s\n"));
        var block = new BlockStep(
            new EnforcementStep("block", 0, TimeSpan.Zero),
            BlockOptions.Default,
            new Nft(new ProcessRunner(), ["ip", "netns", "exec", _net.NamespaceA]),
            new ProcessCredentials("0", MonitorGroup));
        Assert.True((await block.ApplyAsync(CancellationToken.None)).Succeeded);

        var blocked = TestNotify(config, group: null);
        Assert.NotEqual(0, blocked.ExitCode);
        Assert.DoesNotContain("monitor@test.invalid", Received(), StringComparison.Ordinal);

        var delivered = TestNotify(config, MonitorGroup);
        Assert.True(delivered.ExitCode == 0, delivered.Output + delivered.Error);
        Assert.Contains("monitor@test.invalid", Received(), StringComparison.Ordinal);
    }

    private Process StartSmtpServer()
    {
        // Debian's aiosmtpd prints each message it receives; -u so it prints at once.
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "netns", "exec", _net.NamespaceB, "/usr/bin/python3", "-u", "-m", "aiosmtpd", "-n", "-l", $"{NetworkNamespacePair.AddressB}:{SmtpPort}" })
        {
            start.ArgumentList.Add(argument);
        }

        var smtp = Process.Start(start)!;
        smtp.OutputDataReceived += (_, e) =>
        {
            lock (_received)
            {
                _received.AppendLine(e.Data);
            }
        };
        smtp.ErrorDataReceived += (_, _) => { };
        smtp.BeginOutputReadLine();
        smtp.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (!NetworkNamespacePair.Exec(_net.NamespaceB, "ss", "-ltn").Contains($"{NetworkNamespacePair.AddressB}:{SmtpPort} ", StringComparison.Ordinal))
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(10) || smtp.HasExited)
            {
                smtp.Kill(entireProcessTree: true);
                throw new InvalidOperationException("aiosmtpd did not start listening in namespace B");
            }

            Thread.Sleep(20);
        }

        return smtp;
    }

    private string Received()
    {
        Thread.Sleep(200);
        lock (_received)
        {
            return _received.ToString();
        }
    }

    private (int ExitCode, string Output, string Error) TestNotify(string config, string? group)
    {
        string[] program = ["dotnet", CliRunner.ProgramPath, "test-notify", "--config", config];
        string[] command = group is null ? program : ["setpriv", $"--regid={group}", "--clear-groups", .. program];
        return Programs.TryRun("ip", ["netns", "exec", _net.NamespaceA, .. command]);
    }
}
