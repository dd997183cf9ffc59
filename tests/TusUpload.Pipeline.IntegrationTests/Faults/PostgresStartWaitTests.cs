using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Npgsql;
using TusUpload.Pipeline.IntegrationTests.Outbox;
using TusUpload.Postgres;
using TusUpload.Postgres.Migrations;

namespace TusUpload.Pipeline.IntegrationTests.Faults;

/// <summary>
/// The wait for a database that is down backs off by doubling steps, each wait jittered within its step, so that
/// the workers one outage held back do not all try again at the same moment.
/// </summary>
public sealed partial class PostgresStartWaitTests
{
    private const int WaitingEvent = 2304;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Waits_for_a_database_that_is_down_double_from_one_second_each_jittered_within_its_step()
    {
        // Arrange: a loopback port nothing listens on, so every attempt is refused at once.
        var port = PrivateServices.FreeLoopbackPort();
        var options = new PostgresOptions
        {
            ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=tusupload;Timeout=5",
        };
        await using var dataSource = NpgsqlDataSource.Create(options.ConnectionString);
        var logger = new RecordingLogger<PostgresStartWait>();
        var wait = new PostgresStartWait(dataSource, Options.Create(options), TimeProvider.System, logger);
        using var stop = new CancellationTokenSource();

        // Act: three refused attempts (about 1 + 2 s of waiting), then a stop.
        var waiting = wait.UntilReachableAsync(stop.Token);
        var tried = await RelayHarness.EventuallyAsync(() => logger.Count(WaitingEvent) >= 3, Timeout);
        await stop.CancelAsync();
        var reached = await waiting.WaitAsync(Timeout);

        // Assert
        Assert.True(tried, "fewer than three attempts were logged");
        Assert.False(reached);
        var delays = logger.Messages(WaitingEvent).Take(3).Select(DelayOf).ToList();
        Assert.InRange(delays[0], 0.5, 1);
        Assert.InRange(delays[1], 1, 2);
        Assert.InRange(delays[2], 2, 4);
        Assert.NotEqual([1.0, 2.0, 4.0], delays);
    }

    private static double DelayOf(string message) =>
        double.Parse(NextTry().Match(message).Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"next try in ([0-9.]+) s")]
    private static partial Regex NextTry();
}
