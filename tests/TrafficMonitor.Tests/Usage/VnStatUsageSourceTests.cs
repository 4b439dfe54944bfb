using TrafficMonitor.Configuration;
using TrafficMonitor.Quota;
using TrafficMonitor.Tests.Components;
using TrafficMonitor.Usage;

namespace TrafficMonitor.Tests.Usage;

/// <summary>Debian's real vnstat reading databases the tests build.</summary>
public class VnStatUsageSourceTests : IDisposable
{
    private readonly VnStatDatabase _database = new();
    private readonly TempDirectory _scratch = new();
    private readonly DateOnly _today = DateOnly.FromDateTime(TimeProvider.System.GetLocalNow().DateTime);

    public void Dispose()
    {
        _database.Dispose();
        _scratch.Dispose();
    }

    [Fact]
    public async Task ReadAsync_ResetDay1_UsesThisMonthsRowForEveryPhysicalInterface()
    {
        _database.AddInterface("eth0").AddInterface("ens4").AddInterface("lo").AddInterface("docker0").AddInterface("veth12ab");
        var lastMonth = _today.AddMonths(-1);
        _database
            .SetMonth("eth0", _today.Year, _today.Month, 1_200_000_000_000, 650_000_000_000)
            .SetMonth("eth0", lastMonth.Year, lastMonth.Month, 9_000_000_000_000, 9_000_000_000_000)
            .SetMonth("ens4", _today.Year, _today.Month, 5_000, 7_000)
            .SetMonth("lo", _today.Year, _today.Month, 777_000_000_000, 777_000_000_000)
            .SetMonth("docker0", _today.Year, _today.Month, 888_000_000_000, 888_000_000_000)
            .SetMonth("veth12ab", _today.Year, _today.Month, 999_000_000_000, 999_000_000_000);

        var reading = await Sut.VnStatSource(_database).ReadAsync(BillingPeriod.Containing(_today, 1), CancellationToken.None);

        Assert.Equal(["ens4", "eth0"], reading.Interfaces.Select(i => i.Name));
        Assert.Equal(1_200_000_005_000, reading.Rx);
        Assert.Equal(650_000_007_000, reading.Tx);
        Assert.Equal(1_850_000_012_000, reading.Counted(CountMode.Total));
        Assert.Equal(1_200_000_005_000, reading.Counted(CountMode.Max));
        Assert.Equal(650_000_007_000, reading.Counted(CountMode.Tx));
    }

    [Fact]
    public async Task ReadAsync_OtherResetDay_SumsTheDailyRowsSinceThePeriodStarted()
    {
        _database.AddInterface("eth0");
        var period = BillingPeriod.Containing(_today, _today.Day == 1 ? 2 : _today.Day);
        _database
            .SetDay("eth0", period.Start.AddDays(-1), 1_000_000, 1_000_000)
            .SetDay("eth0", period.Start, 300, 30)
            .SetDay("eth0", _today, 200, 20);

        var reading = await Sut.VnStatSource(_database).ReadAsync(period, CancellationToken.None);

        var expectedRx = period.Start == _today ? 200 : 500;
        Assert.Equal(expectedRx, reading.Rx);
    }

    [Fact]
    public async Task ReadAsync_ConfiguredInterfaces_CountOnlyThose()
    {
        _database.AddInterface("eth0").AddInterface("eth1").AddInterface("wg0");
        _database.SetMonth("eth0", _today.Year, _today.Month, 10, 1).SetMonth("eth1", _today.Year, _today.Month, 20, 2).SetMonth("wg0", _today.Year, _today.Month, 40, 4);

        var reading = await Sut.VnStatSource(_database, interfaces: ["eth1", "wg0"]).ReadAsync(BillingPeriod.Containing(_today, 1), CancellationToken.None);

        Assert.Equal(66, reading.Counted(CountMode.Total));
    }

    [Fact]
    public async Task ReadAsync_UnknownInterface_ListsTheOnesVnStatHas()
    {
        _database.AddInterface("eth0").AddInterface("lo");
        var error = await Assert.ThrowsAsync<UsageUnavailableException>(() =>
            Sut.VnStatSource(_database, interfaces: ["eth9"]).ReadAsync(BillingPeriod.Containing(_today, 1), CancellationToken.None));
        Assert.Contains("eth9 not in vnStat's database (it has: eth0, lo)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_OnlyVirtualInterfaces_AsksForAnExplicitChoice()
    {
        _database.AddInterface("lo").AddInterface("docker0");
        var error = await Assert.ThrowsAsync<UsageUnavailableException>(() =>
            Sut.VnStatSource(_database).ReadAsync(BillingPeriod.Containing(_today, 1), CancellationToken.None));
        Assert.Contains("no physical interface", error.Message, StringComparison.Ordinal);
        Assert.Contains("monitor.interfaces", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_EmptyDatabase_SaysToStartTheDaemon()
    {
        var error = await Assert.ThrowsAsync<UsageUnavailableException>(() =>
            Sut.VnStatSource(_database).ReadAsync(BillingPeriod.Containing(_today, 1), CancellationToken.None));
        Assert.Contains("no interfaces", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_InterfaceNotUpdatedThisPeriod_IsMissingDataNotZero()
    {
        _database.AddInterface("eth0").SetUpdated("eth0", DateTime.SpecifyKind(_today.AddMonths(-2).ToDateTime(TimeOnly.MinValue), DateTimeKind.Local));
        var error = await Assert.ThrowsAsync<UsageUnavailableException>(() =>
            Sut.VnStatSource(_database, interfaces: ["eth0"]).ReadAsync(BillingPeriod.Containing(_today, 1), CancellationToken.None));
        Assert.Contains("no data for eth0", error.Message, StringComparison.Ordinal);
        Assert.Contains("daemon running", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_DataFrozenForHours_IsStillUsedAsALowerBound()
    {
        var period = BillingPeriod.Containing(_today, 1);
        var now = TimeProvider.System.GetLocalNow();
        var frozenAt = new[] { now.AddHours(-3), period.StartsAt(TimeProvider.System.LocalTimeZone).AddMinutes(1) }.Max();
        frozenAt = frozenAt.AddTicks(-(frozenAt.Ticks % TimeSpan.TicksPerSecond));
        _database.AddInterface("eth0").SetMonth("eth0", _today.Year, _today.Month, 500, 5).SetUpdated("eth0", frozenAt.DateTime);

        var logs = new LogRecorder();
        var source = Sut.VnStatSource(_database, logger: logs.For<TrafficMonitor.Usage.VnStat.VnStatUsageSource>());
        var reading = await source.ReadAsync(period, CancellationToken.None);
        await source.ReadAsync(period, CancellationToken.None);

        Assert.Equal(505, reading.Counted(CountMode.Total));
        Assert.Equal(frozenAt, reading.DataUpdatedAt);
        var stale = $"vnStat has not updated its database since {frozenAt:yyyy-MM-dd HH:mm:ss}";
        Assert.Single(logs.Lines, line => line.Contains(stale, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReadAsync_UpdatedThisPeriodWithoutTraffic_IsZero()
    {
        _database.AddInterface("eth0");
        var reading = await Sut.VnStatSource(_database).ReadAsync(BillingPeriod.Containing(_today, 1), CancellationToken.None);
        Assert.Equal(0, reading.Counted(CountMode.Total));
    }

    [Fact]
    public async Task ReadAsync_VnStatMissing_SaysHowToInstallIt()
    {
        var error = await Assert.ThrowsAsync<UsageUnavailableException>(() =>
            Sut.VnStatSource(_database, command: "/nonexistent/vnstat").ReadAsync(BillingPeriod.Containing(_today, 1), CancellationToken.None));
        Assert.Contains("apt install vnstat", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_DatabaseDirectoryMissing_PassesVnStatsMessageOnWithAHint()
    {
        var source = new TrafficMonitor.Usage.VnStat.VnStatUsageSource(
            new VnStatOptions { DbDir = _scratch.Combine("no-such-dir") }, new MonitorOptions { StateDir = "/x" },
            new TrafficMonitor.Platform.ProcessRunner(), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<TrafficMonitor.Usage.VnStat.VnStatUsageSource>.Instance,
            TrafficMonitor.Platform.HostPlatform.Linux);
        var error = await Assert.ThrowsAsync<UsageUnavailableException>(() => source.ReadAsync(BillingPeriod.Containing(_today, 1), CancellationToken.None));
        Assert.Contains("Unable to open database directory", error.Message, StringComparison.Ordinal);
        Assert.Contains("systemctl enable --now vnstat", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("eth0 / monthly\n\n  month  rx | tx\n", "not JSON")]
    [InlineData("{\"vnstatversion\":\"1.18\",\"jsonversion\":\"1\",\"interfaces\":[]}", "JSON version 1")]
    [InlineData("{\"vnstatversion\":\"2.10\",\"jsonversion\":\"2\",\"interfaces\":[{\"name\":\"eth0\"}]}", "not in the expected shape")]
    [InlineData("{\"vnstatversion\":\"2.10\",\"jsonversion\":\"2\",\"interfaces\":[{\"name\":\"eth0\",\"traffic\":{\"month\":[{\"date\":{\"year\":2026,\"month\":11},\"rx\":-5,\"tx\":1}]}}]}", "negative")]
    public async Task ReadAsync_GarbageOutput_IsRefusedClearly(string output, string expected)
    {
        var command = Sut.Script(_scratch, "fake-vnstat", output);
        var error = await Assert.ThrowsAsync<UsageUnavailableException>(() =>
            Sut.VnStatSource(_database, command: command).ReadAsync(BillingPeriod.Containing(_today, 1), CancellationToken.None));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_MonthRowsOfTwoInterfacesSumPast2To63_IsBadDataNotZero()
    {
        _database.AddInterface("eth0").AddInterface("eth1")
            .SetMonth("eth0", _today.Year, _today.Month, 5_000_000_000_000_000_000, 0)
            .SetMonth("eth1", _today.Year, _today.Month, 5_000_000_000_000_000_000, 0);

        var error = await Assert.ThrowsAsync<UsageUnavailableException>(() =>
            Sut.VnStatSource(_database).ReadAsync(BillingPeriod.Containing(_today, 1), CancellationToken.None));

        Assert.Contains("2^63", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_RxPlusTxPast2To63_IsBadDataNotZero()
    {
        _database.AddInterface("eth0").SetMonth("eth0", _today.Year, _today.Month, 5_000_000_000_000_000_000, 5_000_000_000_000_000_000);

        var error = await Assert.ThrowsAsync<UsageUnavailableException>(() =>
            Sut.VnStatSource(_database).ReadAsync(BillingPeriod.Containing(_today, 1), CancellationToken.None));

        Assert.Contains("2^63", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_DayRowsSumPast2To63_IsBadDataNotZero()
    {
        // A period of day rows (reset day 2 or 3) that holds today and an earlier day.
        var period = BillingPeriod.Containing(_today, _today.Day >= 3 ? 2 : 3);
        _database.AddInterface("eth0")
            .SetDay("eth0", period.Start, 5_000_000_000_000_000_000, 1)
            .SetDay("eth0", _today, 5_000_000_000_000_000_000, 1);

        var error = await Assert.ThrowsAsync<UsageUnavailableException>(() => Sut.VnStatSource(_database).ReadAsync(period, CancellationToken.None));

        Assert.Contains("vnStat's rows for eth0", error.Message, StringComparison.Ordinal);
        Assert.Contains("2^63", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Once_VnStatRowsSumPast2To63_DecidesNothingAndExits69()
    {
        _database.AddInterface("eth0").SetMonth("eth0", _today.Year, _today.Month, 5_000_000_000_000_000_000, 5_000_000_000_000_000_000);
        var config = _scratch.Write("settings.yaml", TestSettings.Yaml(_scratch.Combine("state"), vnstatConfig: _database.ConfigFile, shutdownCommand: "[\"/bin/true\"]"));

        var result = CliRunner.Run(["--config", config, "--once"]);

        Assert.True(result.ExitCode == 69, $"exit {result.ExitCode}: {result.Output}{result.Error}");
        Assert.Contains("2^63", result.Output + result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Used 0 B", result.Output + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_DatabaseLockedByAnotherProgram_AdviceFitsALock()
    {
        _database.AddInterface("eth0");
        using var writer = new TrafficMonitor.Tests.Usage.VnStat.SqliteSession(_database.DatabaseFile);
        writer.Execute("begin exclusive; update interface set rxcounter=1;");

        var error = await Assert.ThrowsAsync<UsageUnavailableException>(() =>
            Sut.VnStatSource(_database).ReadAsync(BillingPeriod.Containing(_today, 1), CancellationToken.None));

        Assert.Contains("database is locked", error.Message, StringComparison.Ordinal);
        Assert.Contains("another program", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Start vnStat's daemon", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public async Task ReadAsync_BinaryGarbageFromVnStat_IsNotCopiedRawIntoTheMessage(int exitCode)
    {
        var garbage = _scratch.Combine("garbage.bin");
        var bytes = new List<byte>();
        bytes.AddRange("Error: \u001b[31mred\u001b[0m\r\nfake log line\u0000\u0007\u202Eevil"u8.ToArray());
        bytes.AddRange([0xff, 0xfe, 0xc3, 0x28]);
        bytes.AddRange(Enumerable.Repeat((byte)'x', 100_000));
        File.WriteAllBytes(garbage, [.. bytes]);
        var command = _scratch.Write("binary-vnstat", $"#!/bin/sh\ncat '{garbage}'\nexit {exitCode}\n");
        File.SetUnixFileMode(command, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var error = await Assert.ThrowsAsync<UsageUnavailableException>(() =>
            Sut.VnStatSource(_database, command: command).ReadAsync(BillingPeriod.Containing(_today, 1), CancellationToken.None));

        Assert.DoesNotContain(error.Message, c => char.IsControl(c) || c is '\uFFFD' or '\u202E');
        Assert.Contains("Error: ", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 1000, $"{error.Message.Length} characters");
    }
}
