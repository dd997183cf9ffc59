using TusUpload.Pipeline.IntegrationTests.RabbitMq;
using TusUpload.Pipeline.Messaging.RabbitMq;

namespace TusUpload.Pipeline.IntegrationTests.Faults;

/// <summary>
/// A worker started while its PostgreSQL ledger is down waits for it, consuming nothing, instead of crash looping;
/// it migrates and consumes once the database is up, and a SIGTERM while it waits is an ordinary stop.
/// </summary>
public sealed class WorkerDatabaseOutageTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Worker_started_while_postgres_is_down_waits_with_its_consumer_off_and_consumes_once_it_is_up()
    {
        // Arrange: a private PostgreSQL whose port nothing listens on yet.
        await using var postgres = PrivateServices.PostgresNotStarted();
        var rabbit = RabbitMqTestBroker.UniqueOptions();
        var root = Directory.CreateTempSubdirectory("tus-worker-db-outage-").FullName;
        var log = Path.Combine(root, "worker.log");

        try
        {
            var arguments = Arguments(root, rabbit, postgres.PostgresConnectionString);
            using var worker = WorkerProcess.Start(root, log, arguments);

            // Act 1: the database is down.
            var waiting = await RabbitMqTestBroker.EventuallyAsync(
                () => Count(log, 2304) >= 2 || worker.HasExited,
                Timeout);

            // Assert 1: alive and waiting, the consumer off.
            Assert.True(waiting, Read(log));
            Assert.False(worker.HasExited, "the worker exited while the database was down:\n" + Read(log));
            Assert.Equal(0, Count(log, 4610));

            // Act 2: the database comes up.
            await postgres.StartAsync();
            var consuming = await RabbitMqTestBroker.EventuallyAsync(
                () => Count(log, 4610) == 1 || worker.HasExited,
                Timeout);

            // Assert 2: it migrated the ledger's schema and consumes, then stops cleanly.
            Assert.True(consuming && !worker.HasExited, "the worker did not start consuming:\n" + Read(log));
            Assert.Equal(1, Count(log, 2305));
            Assert.Equal(1, Count(log, 2300));
            Assert.Equal(0, await worker.TerminateAsync(TimeSpan.FromSeconds(40)));
        }
        finally
        {
            await RabbitMqTestBroker.DeleteTopologyAsync(rabbit);
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Worker_stopped_while_waiting_for_postgres_exits_cleanly_without_an_error()
    {
        // Arrange: nothing listens on the database's port for the whole test.
        var port = PrivateServices.FreeLoopbackPort();
        var connectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=tusupload;Timeout=5";
        var rabbit = RabbitMqTestBroker.UniqueOptions();
        var root = Directory.CreateTempSubdirectory("tus-worker-db-outage-").FullName;
        var log = Path.Combine(root, "worker.log");

        try
        {
            using var worker = WorkerProcess.Start(root, log, Arguments(root, rabbit, connectionString));
            var waiting = await RabbitMqTestBroker.EventuallyAsync(
                () => Count(log, 2304) >= 1 || worker.HasExited,
                Timeout);
            Assert.True(waiting && !worker.HasExited, "the worker is not waiting for the database:\n" + Read(log));

            // Act
            var exitCode = await worker.TerminateAsync(TimeSpan.FromSeconds(40));

            // Assert: an ordinary stop; nothing consumed, nothing logged as a failure.
            var output = Read(log);
            Assert.Equal(0, exitCode);
            Assert.Equal(1, Count(log, 2306));
            Assert.Equal(1, Count(log, 6002));
            Assert.Equal(0, Count(log, 4610));
            Assert.DoesNotContain("\"@l\":\"Error\"", output, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Worker_stopped_while_a_silent_database_holds_its_connection_attempt_exits_without_waiting_it_out()
    {
        // Arrange: a listener that accepts and never answers, as a frozen PostgreSQL does; the connection's own
        // timeout is 60 s, which a SIGTERM used to wait out.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        var accepting = silent.AcceptTcpClientAsync();
        var connectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=tusupload;Timeout=60";
        var rabbit = RabbitMqTestBroker.UniqueOptions();
        var root = Directory.CreateTempSubdirectory("tus-worker-db-silent-").FullName;
        var log = Path.Combine(root, "worker.log");

        try
        {
            using var worker = WorkerProcess.Start(root, log, Arguments(root, rabbit, connectionString));
            using var held = await accepting.WaitAsync(Timeout);

            // Act
            var stopping = System.Diagnostics.Stopwatch.StartNew();
            var exitCode = await worker.TerminateAsync(TimeSpan.FromSeconds(50));

            // Assert: an ordinary stop, well before the connection attempt's own 60 s.
            Assert.Equal(0, exitCode);
            Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(30), $"stopped after {stopping.Elapsed}:\n{Read(log)}");
            Assert.Equal(1, Count(log, 2306));
            Assert.Equal(0, Count(log, 4610));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Worker_whose_database_does_not_exist_refuses_to_start_in_one_line()
    {
        // Arrange: the test PostgreSQL answers, but for a database that is not there (no outage to wait out).
        var testPostgres = Environment.GetEnvironmentVariable("TUS_TEST_POSTGRES");
        Assert.False(string.IsNullOrWhiteSpace(testPostgres), "TUS_TEST_POSTGRES is not set: run scripts/test.sh.");
        var database = new Npgsql.NpgsqlConnectionStringBuilder(testPostgres)
        {
            Database = $"tus_missing_{Guid.NewGuid():N}",
        };
        var rabbit = RabbitMqTestBroker.UniqueOptions();
        var root = Directory.CreateTempSubdirectory("tus-worker-db-missing-").FullName;
        var log = Path.Combine(root, "worker.log");

        try
        {
            // Act
            using var worker = WorkerProcess.Start(root, log, Arguments(root, rabbit, database.ConnectionString));
            var exitCode = await worker.WaitForExitAsync(Timeout);

            // Assert
            var output = Read(log);
            Assert.Equal(1, exitCode);
            Assert.Contains("Cannot start: the database refused: 3D000", output, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
            Assert.DoesNotContain("Hosting failed to start", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static List<string> Arguments(string root, RabbitMqOptions rabbit, string database) =>
    [
        $"--Store:Disk:Path={Path.Combine(root, "uploads")}",
        "--Ledger:Kind=postgres",
        $"--Postgres:ConnectionString={database}",
        $"--RabbitMq:Uri={rabbit.Uri}",
        $"--RabbitMq:Exchange={rabbit.Exchange}",
        $"--RabbitMq:Queue={rabbit.Queue}",
        $"--RabbitMq:DeadLetterExchange={rabbit.DeadLetterExchange}",
        $"--RabbitMq:DeadLetterQueue={rabbit.DeadLetterQueue}",
        $"--RabbitMq:ParkingQueue={rabbit.ParkingQueue}",
        "--Worker:MetricsPort=0",
        "--Serilog:MinimumLevel:Default=Information",
    ];

    private static string Read(string log)
    {
        if (!File.Exists(log))
        {
            return "(no worker output)";
        }

        using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    // Lines of the compact JSON log with this event id.
    private static int Count(string log, int eventId) =>
        Read(log).Split('\n').Count(line => line.Contains($"\"Id\":{eventId},", StringComparison.Ordinal));
}
