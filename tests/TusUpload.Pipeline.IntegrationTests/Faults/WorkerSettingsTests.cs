namespace TusUpload.Pipeline.IntegrationTests.Faults;

/// <summary>The worker process refuses a bad setting the way the server does: one line naming it, exit code 2.</summary>
public sealed class WorkerSettingsTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("--Worker:ReadBufferSize=1", "Worker:ReadBufferSize must be")]
    [InlineData("--Worker:MetricsPort=70000", "Worker:MetricsPort must be")]
    [InlineData("--RabbitMq:Uri=http://127.0.0.1:1/", "RabbitMq:Uri must be")]
    [InlineData("--Ledger:SentOutboxRetention=00:00:00", "Ledger:SentOutboxRetention must be")]
    public async Task Worker_refuses_to_start_with_a_bad_setting_naming_it_without_a_crash(string setting, string named)
    {
        var folder = Directory.CreateTempSubdirectory("tus-worker-settings-").FullName;
        var logPath = Path.Combine(folder, "worker.log");
        try
        {
            int exitCode;
            string[] arguments =
            [
                setting,
                $"--Store:Disk:Path={Path.Combine(folder, "uploads")}",
                $"--Ledger:Path={Path.Combine(folder, "ledger.db")}",
            ];
            using (var worker = WorkerProcess.Start(folder, logPath, arguments))
            {
                exitCode = await worker.WaitForExitAsync(s_timeout);
            }

            var output = await File.ReadAllTextAsync(logPath);
            Assert.Equal(2, exitCode);
            Assert.Contains($"Invalid configuration: {named}", output, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
