using System.Globalization;
using System.Text.RegularExpressions;
using TrafficMonitor.Enforcement;
using TrafficMonitor.Enforcement.Linux;
using TrafficMonitor.Platform;
using TrafficMonitor.Quota;

namespace TrafficMonitor.Tests.Enforcement;

/// <summary>How the quota is sized and refreshed, against a stand-in for nft that keeps one quota's numbers.</summary>
public partial class QuotaStepTests
{
    private const long Limit = 1_000_000_000;
    private static readonly long Target = Limit - KernelQuotaSizing.DefaultMargin(Limit);
    private static readonly double FirstRatio = KernelQuotaSizing.InitialRatio * KernelQuotaSizing.Safety;

    private readonly FakeNft _nft = new();
    private long _counted;
    private long? _whileLoading;

    [Fact]
    public async Task ApplyAsync_At900MB_AllowsTheBytesLeftBeforeTheTargetOverTheFirstRatioWithTheSafety()
    {
        _counted = 900_000_000;

        Assert.True((await CreateSut().ApplyAsync(CancellationToken.None)).Succeeded);

        Assert.Equal((long)Math.Floor((Target - 900_000_000) / FirstRatio), _nft.Over);
        Assert.Equal(1, _nft.Loads);
    }

    [Fact]
    public async Task ApplyAsync_TrafficMovesWhileTheTableIsCreated_ResizesTheNewQuotaAtOnceInPlace()
    {
        _counted = 900_000_000;
        _whileLoading = 950_000_000;

        Assert.True((await CreateSut().ApplyAsync(CancellationToken.None)).Succeeded);

        Assert.Equal((long)Math.Floor((Target - 950_000_000) / FirstRatio), _nft.Over);
        Assert.Equal((1, 1), (_nft.Loads, _nft.Resizes));
    }

    [Fact]
    public async Task RefreshAsync_OnCourse_LeavesTheQuotaAlone()
    {
        // Too few bytes for a ratio of its own: the first one holds, and the traffic is where it predicted.
        var step = await Applied(900_000_000);
        _nft.Used = 2_000_000;
        _counted = 900_000_000 + (long)(2_000_000 * FirstRatio);

        var refresh = await step.RefreshAsync(CancellationToken.None);

        Assert.False(refresh.Recreated);
        Assert.False(refresh.Resized);
        Assert.Equal((1, 0), (_nft.Loads, _nft.Resizes));
    }

    [Fact]
    public async Task RefreshAsync_TightReadings_MeasureTheRatioAndResizeTheQuotaInPlace()
    {
        var step = await Applied(900_000_000);
        _nft.Used = 10_000_000;
        _counted = 910_000_000;
        await step.RefreshAsync(CancellationToken.None);

        // The interfaces moved as many bytes as the kernel counted: ratio 1, so the quota would stop short.
        _nft.Used = 30_000_000;
        _counted = 930_000_000;
        var refresh = await step.RefreshAsync(CancellationToken.None);

        Assert.True(refresh.Resized);
        Assert.Equal(1.0, refresh.Ratio, 6);
        Assert.Equal(30_000_000 + (long)Math.Floor((Target - 930_000_000) / KernelQuotaSizing.Safety), _nft.Over);
        Assert.Equal(30_000_000, _nft.Used);
        Assert.Equal(1, _nft.Loads);
    }

    [Fact]
    public async Task RefreshAsync_FlowingPastTheTarget_ShrinksTheQuotaToWhatItCountedSoTrafficStopsNow()
    {
        var step = await Applied(900_000_000);
        _nft.Used = 10_000_000;
        _counted = Target + 1_000_000;

        var refresh = await step.RefreshAsync(CancellationToken.None);

        Assert.True(refresh.Resized);
        Assert.Equal(10_000_000, _nft.Over);
    }

    [Fact]
    public async Task RefreshAsync_SpentShortOfTheTarget_CreatesAFreshQuotaForTheRest()
    {
        var step = await Applied(900_000_000);
        // nft shows a spent quota's counter capped at its allowance.
        _nft.Used = _nft.Over;
        _counted = 950_000_000;

        var refresh = await step.RefreshAsync(CancellationToken.None);

        Assert.True(refresh.Recreated);
        Assert.Equal((long)Math.Floor((Target - 950_000_000) / FirstRatio), _nft.Over);
        Assert.Equal((2, 0L), (_nft.Loads, _nft.Used));
    }

    [Fact]
    public async Task RefreshAsync_SpentWithinTheTolerance_LeavesTheTrafficStopped()
    {
        var step = await Applied(900_000_000);
        _nft.Used = _nft.Over;
        _counted = Target - (KernelQuotaSizing.Tolerance(KernelQuotaSizing.DefaultMargin(Limit)) / 2);

        var refresh = await step.RefreshAsync(CancellationToken.None);

        Assert.False(refresh.Recreated);
        Assert.Equal((1, 0), (_nft.Loads, _nft.Resizes));
    }

    [Fact]
    public async Task RefreshAsync_PastTheTargetWithTheQuotaSpent_DoesNotReload()
    {
        var step = await Applied(900_000_000);
        _nft.Used = _nft.Over;
        _counted = Limit + 10_000_000;

        Assert.False((await step.RefreshAsync(CancellationToken.None)).Recreated);
        Assert.Equal((1, 0), (_nft.Loads, _nft.Resizes));
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
        Assert.Equal((long)Math.Floor((Target - 950_000_000) / FirstRatio), _nft.Over);
    }

    [Fact]
    public async Task EnsureAsync_TableGone_PutsItBackAndSaysSo()
    {
        IEnforcementStep step = await Applied(900_000_000);
        _nft.Gone = true;

        var result = await step.EnsureAsync(new StepContext(StepEvent.Apply, "quota", null), CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Contains("was gone (a firewall reload or 'nft flush ruleset' removes it): re-created", result.Repaired, StringComparison.Ordinal);
        Assert.False(_nft.Gone);
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
            new ProcessCredentials("998", "998"), new TrafficMonitor.Configuration.SizeUnits(TrafficMonitor.Configuration.UnitSystem.Decimal, 3));

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
        () => _nft.Loads > 0 && _whileLoading is { } moved ? moved : _counted,
        new Nft(_nft),
        new ProcessCredentials("998", "998"));

    /// <summary>Stands in for nft: keeps the quota a ruleset creates, lists it as nft -j does.</summary>
    private sealed partial class FakeNft : IProcessRunner
    {
        public long Over { get; private set; }

        public long Used { get; set; }

        public bool Gone { get; set; }

        public bool FailLoads { get; set; }

        public int Loads { get; private set; }

        public int Resizes { get; private set; }

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

                Over = long.Parse(OverPattern().Match(standardInput!).Groups[1].Value, CultureInfo.InvariantCulture);
                if (standardInput!.StartsWith("add quota", StringComparison.Ordinal))
                {
                    // Resized in place: the kernel's counter goes on.
                    Resizes++;
                    return Task.FromResult(new ProcessResult(0, string.Empty, string.Empty));
                }

                Loads++;
                Used = 0;
                Gone = false;
                return Task.FromResult(new ProcessResult(0, string.Empty, string.Empty));
            }

            if (command.SequenceEqual(["nft", "-j", "list", "quota", "inet", QuotaStep.TableName, QuotaStep.QuotaName]))
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
