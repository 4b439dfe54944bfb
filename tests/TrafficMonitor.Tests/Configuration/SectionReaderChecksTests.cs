using TrafficMonitor.Configuration;
using TrafficMonitor.Configuration.Yaml;
using TrafficMonitor.Tests.Components;
using YamlDotNet.RepresentationModel;

namespace TrafficMonitor.Tests.Configuration;

/// <summary>The checks the sections share; each section's own tests cover how it uses them.</summary>
public sealed class SectionReaderChecksTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly List<ConfigProblem> _problems = [];

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Secret_FileWithTrailingNewline_IsTheSecretWithoutIt()
    {
        var file = _directory.Write("token", "s3cret\n");

        Assert.Equal("s3cret", Section($"token_file: \"{file}\"").Secret("token", "token_file", null)?.Reveal());
        Assert.Empty(_problems);
    }

    [Fact]
    public void Secret_EmptyFile_IsAProblemAtTheFileKey()
    {
        var file = _directory.Write("token", "\n");

        Assert.Null(Section($"token_file: \"{file}\"").Secret("token", "token_file", null));
        var problem = Assert.Single(_problems);
        Assert.Equal("s.token_file", problem.Path);
        Assert.Equal($"'{file}' is empty", problem.Message);
    }

    [Fact]
    public void Secret_ValueAndFile_IsAProblemThatNeverShowsTheValue()
    {
        var file = _directory.Write("token", "from-file");

        Assert.Null(Section($"token: from-yaml\ntoken_file: \"{file}\"").Secret("token", "token_file", null));
        var problem = Assert.Single(_problems);
        Assert.Equal("s.token_file", problem.Path);
        Assert.Equal("is set as well as s.token: keep only one", problem.Message);
        Assert.DoesNotContain("from-", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Secret_NeitherKey_FallsBackToTheEnvironment() =>
        Assert.Equal("from-env", Section("other: 1").Secret("token", "token_file", "from-env")?.Reveal());

    [Fact]
    public void Require_KeyAbsent_IsMissing()
    {
        Assert.False(Section("other: 1").Require("name", "what it is"));
        Assert.Equal("missing: what it is", Assert.Single(_problems, p => p.Path == "s.name").Message);
    }

    [Fact]
    public void Require_KeyPresentButBlank_IsEmpty()
    {
        Assert.False(Section("name: \" \"").Require("name", "what it is"));
        Assert.Equal("is empty: write what it is", Assert.Single(_problems, p => p.Path == "s.name").Message);
    }

    [Fact]
    public void Require_KeyWithItsProblemReportedAlready_AddsNoSecondProblem()
    {
        var section = Section("name: \" \"");
        section.Problem("name", "first");

        Assert.False(section.Require("name", "what it is"));
        Assert.Equal("first", Assert.Single(_problems).Message);
    }

    [Theory]
    [InlineData("token: \"\"")]
    [InlineData("token: \"  \"")]
    public void Secret_BlankValue_IsAProblemAtTheValueKey(string yaml)
    {
        Assert.Null(Section(yaml).Secret("token", "token_file", "from-env"));
        Assert.StartsWith("is empty", Assert.Single(_problems, p => p.Path == "s.token").Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("timeout: 0s", false)]
    [InlineData("timeout: 1ms", true)]
    [InlineData("other: 1", true)]
    public void Positive_ZeroIsAProblemWithTheExample(string yaml, bool ok)
    {
        var section = Section(yaml);

        Assert.Equal(ok, section.Positive("timeout", section.Duration("timeout", TimeSpan.FromDays(1)), "3d"));
        Assert.Equal(ok ? [] : ["must be more than zero, e.g. 3d"], _problems.Select(p => p.Message));
    }

    [Fact]
    public void NotNegative_NegativeIsAProblem_ZeroIsNot()
    {
        var section = Section("delay: 1s");

        Assert.True(section.NotNegative("delay", TimeSpan.Zero));
        Assert.False(section.NotNegative("delay", TimeSpan.FromSeconds(-1)));
        Assert.Equal("s.delay", Assert.Single(_problems).Path);
        Assert.Equal("must not be negative", _problems[0].Message);
    }

    [Theory]
    [InlineData(" https://hooks.test.invalid/x ", true)]
    [InlineData("http://localhost:8080", true)]
    [InlineData("ftp://hooks.test.invalid/token", false)]
    [InlineData("hooks.test.invalid/token", false)]
    public void HttpUrl_OnlyHttpAndHttpsAddresses(string url, bool ok)
    {
        var section = Section($"url: \"{url}\"");

        Assert.Equal(ok, section.HttpUrl("url", section.String("url"), "is not an http:// or https:// address", out var uri));
        Assert.Equal(ok, uri is not null && uri.Host.Length > 0);
        Assert.Equal(ok ? [] : ["is not an http:// or https:// address"], _problems.Select(p => p.Message));
    }

    [Fact]
    public void HttpUrl_None_IsFine()
    {
        Assert.True(Section("other: 1").HttpUrl("url", null, "unused", out var uri));
        Assert.Null(uri);
    }

    private SectionReader Section(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader("s:\n" + string.Join('\n', yaml.Split('\n').Select(line => "  " + line))));
        return new SectionReader(stream.Documents[0].RootNode, string.Empty, _problems).Section("s");
    }
}
