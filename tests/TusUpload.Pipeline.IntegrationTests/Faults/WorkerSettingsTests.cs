namespace TusUpload.Pipeline.IntegrationTests.Faults;

/// <summary>The worker refuses a bad setting the way the server does: one line naming it, exit code 2.</summary>
public sealed class WorkerSettingsTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("--Worker:ReadBufferSize=1", "Worker:ReadBufferSize must be")]
    [InlineData("--Worker:MetricsPort=70000", "Worker:MetricsPort must be")]
    [InlineData("--RabbitMq:Uri=http://127.0.0.1:1/", "RabbitMq:Uri must be")]
    [InlineData("--Ledger:SentOutboxRetention=00:00:00", "Ledger:SentOutboxRetention must be")]
    [InlineData("--Ledger:SentOutboxRetention=garbage", "Failed to convert configuration value 'garbage' at 'Ledger:")]
    [InlineData("--RabbitMq:Uri=", "RabbitMq:Uri must be")]
    [InlineData("--RabbitMq:ParkingQueue= ", "RabbitMq:ParkingQueue must be")]
    [InlineData("--RabbitMq:Redrive:MaxRedrives=-1", "RabbitMq:Redrive:MaxRedrives must be")]
    [InlineData("--RabbitMq:Redrive:Delay=02:00:00", "RabbitMq:Redrive:Delay must be")]
    [InlineData("--Store:Kind=bogus", "Store:Kind 'bogus' is not supported")]
    [InlineData("--Serilog:MinimumLevel:Default=Nonsense", "Serilog:MinimumLevel:Default must be one of Verbose")]
    [InlineData("--Serilog:MinimumLevel:Override:System=Loud", "Serilog:MinimumLevel:Override:System must be")]
    public async Task Worker_refuses_to_start_with_a_bad_setting_naming_it_without_a_crash(string setting, string named)
    {
        var (exitCode, output) = await RunToExitAsync(setting);

        Assert.Equal(2, exitCode);
        Assert.Contains($"Invalid configuration: {named}", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Hosting failed to start", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worker_names_every_bad_setting_of_every_group_in_one_run()
    {
        var (exitCode, output) = await RunToExitAsync("--Ledger:SentOutboxRetention=0", "--Worker:ReadBufferSize=1");

        Assert.Equal(2, exitCode);
        Assert.Contains("Invalid configuration: Ledger:SentOutboxRetention must be", output, StringComparison.Ordinal);
        Assert.Contains("Invalid configuration: Worker:ReadBufferSize must be", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worker_names_a_misspelt_key_of_its_sections_and_not_a_known_one()
    {
        // The bad buffer size ends the start right after the check, without a broker.
        var (exitCode, output) = await RunToExitAsync(
            "--ClamAV:Enable=true",
            "--Worker:ScannerRetryWindow=00:00:05",
            "--RabbitMq:Redrive:Delay=00:00:05",
            "--Worker:ReadBufferSize=1");

        Assert.Equal(2, exitCode);
        // The worker logs JSON, its properties as fields of their own.
        Assert.Contains("\"Key\":\"ClamAV:Enable\",\"EventId\":{\"Id\":6003", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\"Key\":\"Worker:ScannerRetryWindow\"", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\"Key\":\"RabbitMq:Redrive:Delay\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worker_whose_S3_service_does_not_answer_at_start_up_says_so_in_one_line_and_exits_1()
    {
        // A loopback port nothing listens on: the connection is refused at once, as by a service that is down.
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var serviceUrl = $"http://127.0.0.1:{((System.Net.IPEndPoint)probe.LocalEndpoint).Port}";
        probe.Stop();

        var (exitCode, output) = await RunToExitAsync(
            "--Store:Kind=s3",
            $"--Store:S3:ServiceUrl={serviceUrl}",
            "--Store:S3:Bucket=tus-worker-unreachable",
            "--Store:S3:AccessKey=test",
            "--Store:S3:SecretKey=test");

        Assert.Equal(1, exitCode);
        Assert.Contains(
            $"Cannot start: the S3 service at {serviceUrl} did not answer for bucket tus-worker-unreachable: ",
            output,
            StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worker_whose_S3_service_accepts_and_never_answers_gives_up_at_its_startup_timeout_and_exits_1()
    {
        // A listener that takes the connection and never answers, as a hung S3 service does: the first attempt
        // alone would hold the start for its 30 s request timeout.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var accepting = silent.AcceptTcpClientAsync();
        var serviceUrl = $"http://127.0.0.1:{((System.Net.IPEndPoint)silent.LocalEndpoint).Port}";
        var running = System.Diagnostics.Stopwatch.StartNew();

        var (exitCode, output) = await RunToExitAsync(
            "--Store:Kind=s3",
            $"--Store:S3:ServiceUrl={serviceUrl}",
            "--Store:S3:Bucket=tus-worker-silent",
            "--Store:S3:AccessKey=test",
            "--Store:S3:SecretKey=test",
            "--Store:S3:StartupTimeout=00:00:02");

        // The margin covers the process's own start on a busy machine, well short of the 30 s default.
        Assert.Equal(1, exitCode);
        Assert.True(running.Elapsed < TimeSpan.FromSeconds(2 + 15), $"exited after {running.Elapsed}:\n{output}");
        Assert.True(accepting.IsCompletedSuccessfully, "the worker never reached the listener:\n" + output);
        (await accepting).Dispose();
        var refusal = Assert.Single(
            output.Split('\n'),
            line => line.Contains("Cannot start", StringComparison.Ordinal));
        Assert.Equal(
            $"Cannot start: the S3 service at {serviceUrl} did not answer for bucket tus-worker-silent: "
                + "no answer within 00:00:02 (Store:S3:StartupTimeout)",
            refusal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worker_whose_metrics_port_is_taken_says_so_in_one_line_and_exits_1()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var (exitCode, output) = await RunToExitAsync($"--Worker:MetricsPort={port}");

        Assert.Equal(1, exitCode);
        Assert.Contains("Cannot start: ", output, StringComparison.Ordinal);
        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), output);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Hosting failed to start", output, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> RunToExitAsync(params string[] settings)
    {
        var folder = Directory.CreateTempSubdirectory("tus-worker-settings-").FullName;
        var logPath = Path.Combine(folder, "worker.log");
        try
        {
            int exitCode;
            string[] arguments =
            [
                .. settings,
                $"--Store:Disk:Path={Path.Combine(folder, "uploads")}",
                $"--Ledger:Path={Path.Combine(folder, "ledger.db")}",
            ];
            using (var worker = WorkerProcess.Start(folder, logPath, arguments))
            {
                exitCode = await worker.WaitForExitAsync(s_timeout);
            }

            return (exitCode, await File.ReadAllTextAsync(logPath));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
