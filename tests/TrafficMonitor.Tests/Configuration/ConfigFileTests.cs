using System.Text;
using TrafficMonitor.Configuration;
using TrafficMonitor.Tests.Components;

namespace TrafficMonitor.Tests.Configuration;

/// <summary>Finding and reading the settings file: what is wrong with the file itself is said plainly.</summary>
public sealed class ConfigFileTests : IDisposable
{
    private const string Thresholds = "thresholds: {total_limit: 100, interval: 10, critical_percentage: 90}\n";

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Locate_ADirectoryAsConfig_SaysItIsADirectory()
    {
        var problem = Assert.Single(Assert.Throws<ConfigException>(() => ConfigLocator.Locate(_directory.Path, _ => null)).Problems);

        Assert.Equal($"--config {_directory.Path}: is a directory, not a settings file: name the file in it, e.g. {Path.Combine(_directory.Path, "settings.yaml")}", problem.Message);
    }

    [Fact]
    public void Locate_ADirectoryInTheEnvironment_SaysItIsADirectory()
    {
        var problem = Assert.Single(Assert.Throws<ConfigException>(() => ConfigLocator.Locate(null, _ => _directory.Path)).Problems);

        Assert.StartsWith($"${ConfigLocator.EnvironmentVariable}={_directory.Path}: is a directory", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Locate_AMissingFile_IsStillNoSuchFile()
    {
        var missing = _directory.Combine("nope.yaml");

        var problem = Assert.Single(Assert.Throws<ConfigException>(() => ConfigLocator.Locate(missing, _ => null)).Problems);

        Assert.Equal($"--config {missing}: no such file", problem.Message);
    }

    [Fact]
    public void Load_ADirectory_SaysItIsADirectory()
    {
        var problem = Assert.Single(Assert.Throws<ConfigException>(() => ConfigLoader.Load(_directory.Path, "/tmp/state")).Problems);

        Assert.StartsWith("is a directory", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NonUtf8Bytes_AreAnErrorNamingTheLine()
    {
        var file = WriteBytes("latin1.yaml", [.. Encoding.UTF8.GetBytes(Thresholds + "# ok\nemail: {smtp_server: caf"), 0xE9, .. Encoding.UTF8.GetBytes(", sender: a@b, recipients: [a@b]}\n")]);

        var problem = Assert.Single(Assert.Throws<ConfigException>(() => ConfigLoader.Load(file, "/tmp/state")).Problems);

        Assert.Equal("(file)", problem.Path);
        Assert.Equal(3, problem.Line);
        Assert.Equal(25, problem.Column);
        Assert.Equal("is not UTF-8 text here (byte 0xE9): save the file as UTF-8", problem.Message);
    }

    [Fact]
    public void Load_NonUtf8BytesAfterAByteOrderMark_AreAnErrorToo()
    {
        var file = WriteBytes("bom-latin1.yaml", [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(Thresholds + "# caf"), 0xE9, (byte)'\n']);

        var problem = Assert.Single(Assert.Throws<ConfigException>(() => ConfigLoader.Load(file, "/tmp/state")).Problems);

        Assert.Equal((2, 6), (problem.Line, problem.Column));
    }

    [Fact]
    public void Load_Utf8WithAByteOrderMark_Loads()
    {
        var file = WriteBytes("bom.yaml", [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(Thresholds + "email: {smtp_server: café.test, sender: a@b, recipients: [a@b]}\n")]);

        Assert.Equal("café.test", ConfigLoader.Load(file, "/tmp/state").Email!.SmtpServer);
    }

    [Fact]
    public void Load_Utf16WithAByteOrderMark_StillLoads()
    {
        var file = WriteBytes("utf16.yaml", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Thresholds)]);

        Assert.Equal(90m, ConfigLoader.Load(file, "/tmp/state").Thresholds.CriticalPercentage);
    }

    [Fact]
    public void Load_UnreadableSecretFiles_GiveMessagesWithoutADoublePeriod()
    {
        var file = _directory.Write("settings.yaml", Thresholds + $$"""
            email: {smtp_server: x, sender: a@b, recipients: [a@b], username: u, password_file: "{{_directory.Combine("missing")}}", ca_file: "{{_directory.Path}}"}
            telegram: {bot_token_file: "{{_directory.Path}}", chat_id: "1"}
            notifications: {expire: 99999999999999d}
            """);

        var problems = Assert.Throws<ConfigException>(() => ConfigLoader.Load(file, "/tmp/state")).Problems;

        Assert.NotEmpty(problems);
        Assert.All(problems, p => Assert.False(p.Message.EndsWith('.'), p.ToString()));
        Assert.All(problems, p => Assert.DoesNotContain("..", p.Message, StringComparison.Ordinal));
    }

    private string WriteBytes(string name, byte[] bytes)
    {
        var path = _directory.Combine(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
