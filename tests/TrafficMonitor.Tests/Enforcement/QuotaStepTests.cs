using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using TrafficMonitor.Enforcement;
using TrafficMonitor.Enforcement.Linux;
using TrafficMonitor.Platform;
using TrafficMonitor.Quota;

namespace TrafficMonitor.Tests.Enforcement;

/// <summary>How the quota is sized and refreshed, against a stand-in for nft that keeps one quota's numbers.</summary>
public partial class QuotaStepTests
{
    private const long Limit = 1_000_000_000;
    private const long Target = Limit - 5_000_000;

    private readonly FakeNft _nft = new();
    private readonly FakeTimeProvider _time = new();
    private long _counted;

    [Fact]
    public async Task ApplyAsync_At900MB_AllowsTheBytesLeftBeforeTheTargetOverTheFirstRatio()
    {
        _counted = 900_000_000;

        Assert.True((await CreateSut().ApplyAsync(CancellationToken.None)).Succeeded);

        Assert.Equal((long)Math.Floor((Target - 900_000_000) / KernelQuotaSizing.InitialRatio), _nft.Over);
        Assert.Equal(1, _nft.Loads);
    }

    [Fact]
    public async Task RefreshAsync_OnCourse_LeavesTheQuotaAlone()
    {
        var step = await Applied(900_000_000);
        _nft.Used = 10_000_000;
        _counted = 900_000_000 + 10_800_000;
        _time.Advance(TimeSpan.FromMilliseconds(100));

        var refresh = await step.RefreshAsync(CancellationToken.None);

        Assert.False(refresh.Recreated);
        Assert.InRange(refresh.Predicted, Target - 1_000_000, Target + 1_000_000);
        Assert.Equal(1, _nft.Loads);
    }

    [Fact]
    public async Task RefreshAsync_TightReadings_MeasureTheRatioAndResizeTheQuota()
    {
        var step = await Applied(900_000_000);
        _nft.Used = 10_000_000;
        _counted = 910_000_000;
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.False((await step.RefreshAsync(CancellationToken.None)).Recreated);

        // The interfaces moved as many bytes as the kernel counted: ratio 1, so the quota stops ~7 MB short.
        _nft.Used = 30_000_000;
        _counted = 930_000_000;
        _time.Advance(TimeSpan.FromMilliseconds(100));
        var refresh = await step.RefreshAsync(CancellationToken.None);

        Assert.True(refresh.Recreated);
        Assert.Equal(1.0, refresh.Ratio, 6);
        Assert.Equal(Target - 930_000_000, _nft.Over);
        Assert.Equal(0, _nft.Used);
    }

    [Fact]
    public async Task RefreshAsync_SpentShortOfTheTarget_GivesTheRestBack()
    {
        var step = await Applied(900_000_000);
        _nft.Used = _nft.Over + 50_000;
        _counted = 900_000_000 + _nft.Over;
        _time.Advance(TimeSpan.FromMilliseconds(100));

        var refresh = await step.RefreshAsync(CancellationToken.None);

        Assert.True(refresh.Recreated);
        Assert.Equal((long)Math.Floor((Target - _counted) / KernelQuotaSizing.InitialRatio), _nft.Over);
    }

    [Fact]
    public async Task RefreshAsync_PastTheTargetWithTheQuotaSpent_DoesNotReload()
    {
        var step = await Applied(900_000_000);
        _nft.Used = _nft.Over + 1000;
        _counted = Limit + 10_000_000;
        _time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.False((await step.RefreshAsync(CancellationToken.None)).Recreated);
        Assert.Equal(1, _nft.Loads);
    }

    [Fact]
    public async Task RefreshAsync_TableGone_RecreatesItForTheBytesLeft()
    {
        var step = await Applied(900_000_000);
        _nft.Gone = true;
        _counted = 950_000_000;

        var refresh = await step.RefreshAsync(CancellationToken.None);

        Assert.True(refresh.Recreated);
        Assert.Null(refresh.Error);
        Assert.Equal((long)Math.Floor((Target - 950_000_000) / KernelQuotaSizing.InitialRatio), _nft.Over);
    }

    [Fact]
    public async Task ApplyAsync_NftFails_SaysWhatNftSaid()
    {
        _nft.FailLoads = true;

        var result = await CreateSut().ApplyAsync(CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("Error: Could not process rule: Operation not permitted", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Description_SpeaksInTheLimitsUnits()
    {
        var step = new QuotaStep(
            new EnforcementStep("quota", 0, TimeSpan.Zero), QuotaOptions.Default, Limit, QuotaDirections.Both, () => 0, new Nft(_nft),
            new ProcessCredentials("998", "998"), _time, new TrafficMonitor.Configuration.SizeUnits(TrafficMonitor.Configuration.UnitSystem.Decimal, 3));

        Assert.Equal("the kernel stops all traffic but SSH (port 22), DHCP, DNS and the monitor's own at 1 GB", step.Description);
    }

    private async Task<QuotaStep> Applied(long counted)
    {
        _counted = counted;
        var step = CreateSut();
        Assert.True((await step.ApplyAsync(CancellationToken.None)).Succeeded);
        return step;
    }

    private QuotaStep CreateSut() => new(
        new EnforcementStep("quota", 0, TimeSpan.Zero),
        QuotaOptions.Default,
        Limit,
        QuotaDirections.Both,
        () => _counted,
        new Nft(_nft),
        new ProcessCredentials("998", "998"),
        _time);

    /// <summary>Stands in for nft: keeps the quota a ruleset creates, lists it as nft -j does.</summary>
    private sealed partial class FakeNft : IProcessRunner
    {
        public long Over { get; private set; }

        public long Used { get; set; }

        public bool Gone { get; set; }

        public bool FailLoads { get; set; }

        public int Loads { get; private set; }

        public Task<ProcessResult> RunAsync(IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken) =>
            RunAsync(command, null, timeout, cancellationToken);

        public Task<ProcessResult> RunAsync(IReadOnlyList<string> command, string? standardInput, TimeSpan timeout, CancellationToken cancellationToken)
        {
            if (command.SequenceEqual(["nft", "-f", "-"]))
            {
                if (FailLoads)
                {
                    return Task.FromResult(new ProcessResult(1, string.Empty, "Error: Could not process rule: Operation not permitted"));
                }

                Loads++;
                Over = long.Parse(OverPattern().Match(standardInput!).Groups[1].Value, CultureInfo.InvariantCulture);
                Used = 0;
                Gone = false;
                return Task.FromResult(new ProcessResult(0, string.Empty, string.Empty));
            }

            if (command.SequenceEqual(["nft", "-j", "list", "quota", "inet", QuotaStep.Table, QuotaStep.QuotaName]))
            {
                return Task.FromResult(Gone
                    ? new ProcessResult(1, string.Empty, "Error: No such file or directory\nlist quota inet traffic_monitor_quota remaining")
                    : new ProcessResult(0, string.Create(CultureInfo.InvariantCulture, $$$"""{"nftables": [{"metainfo": {"version": "1.0.6"}}, {"quota": {"family": "inet", "name": "remaining", "table": "traffic_monitor_quota", "handle": 4, "bytes": {{{Over}}}, "used": {{{Used}}}, "inv": true}}]}"""), string.Empty));
            }

            throw new InvalidOperationException($"unexpected command: {string.Join(' ', command)}");
        }

        [GeneratedRegex(@"quota remaining \{ over (\d+) bytes; \}")]
        private static partial Regex OverPattern();
    }
}
