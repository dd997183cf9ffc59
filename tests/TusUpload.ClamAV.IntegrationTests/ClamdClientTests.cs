using static TusUpload.ClamAV.IntegrationTests.ClamdTestEnvironment;

namespace TusUpload.ClamAV.IntegrationTests;

public sealed class ClamdClientTests
{
    [Fact]
    public async Task Ping_of_running_clamd_completes()
    {
        var client = Client();

        await client.PingAsync().WaitAsync(TestTimeout);
    }

    [Fact]
    public async Task Version_names_ClamAV()
    {
        var client = Client();

        var version = await client.VersionAsync().WaitAsync(TestTimeout);

        Assert.StartsWith("ClamAV ", version, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_of_eicar_is_infected_with_an_eicar_signature()
    {
        var client = Client();
        using var content = new MemoryStream(Eicar());

        var verdict = await client.ScanAsync(content).WaitAsync(TestTimeout);

        Assert.Equal(ScanOutcome.Infected, verdict.Outcome);
        Assert.Contains("eicar", verdict.Signature, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Scan_of_random_bytes_is_clean()
    {
        var client = Client();
        using var content = new MemoryStream(RandomBytes(3 * 1024 * 1024 + 17, seed: 1));

        var verdict = await client.ScanAsync(content).WaitAsync(TestTimeout);

        Assert.Equal(ScanVerdict.Clean, verdict);
    }

    [Fact]
    public async Task Scan_of_empty_stream_is_clean()
    {
        var client = Client();
        using var content = new MemoryStream();

        var verdict = await client.ScanAsync(content).WaitAsync(TestTimeout);

        Assert.Equal(ScanVerdict.Clean, verdict);
    }

    [Fact]
    public async Task Scan_of_clam_zip_from_clamav_testfiles_is_infected()
    {
        var client = Client();
        using var content = new MemoryStream(ClamZip());

        var verdict = await client.ScanAsync(content).WaitAsync(TestTimeout);

        Assert.Equal(ScanOutcome.Infected, verdict.Outcome);
    }

    [Fact]
    public async Task Scan_of_eicar_split_across_chunks_is_infected()
    {
        var client = Client(options => options.ChunkSize = 1024);
        var content = new MemoryStream();
        content.Write(new byte[1000]);
        content.Write(Eicar());
        content.Position = 0;

        var verdict = await client.ScanAsync(content).WaitAsync(TestTimeout);

        Assert.Equal(ScanOutcome.Infected, verdict.Outcome);
    }

    [Fact]
    public async Task Scan_of_stream_over_our_limit_is_error_not_clean()
    {
        var client = Client(options => options.MaxStreamLength = 1024 * 1024);
        using var content = new PatternStream(1024 * 1024 + 1);

        var verdict = await client.ScanAsync(content).WaitAsync(TestTimeout);

        Assert.Equal(ScanOutcome.Error, verdict.Outcome);
        Assert.Contains("scan limit", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_of_stream_at_our_limit_is_clean()
    {
        var client = Client(options => options.MaxStreamLength = 1024 * 1024);
        using var content = new PatternStream(1024 * 1024);

        var verdict = await client.ScanAsync(content).WaitAsync(TestTimeout);

        Assert.Equal(ScanVerdict.Clean, verdict);
    }

    [Fact]
    public async Task Scan_of_stream_over_clamd_StreamMaxLength_is_clamd_error_not_clean()
    {
        // Our own limit is set above clamd's, so clamd is the one that cuts the stream off and closes the socket.
        var client = Client(options => options.MaxStreamLength = 4 * ServerStreamMaxLength);
        using var content = new PatternStream(ServerStreamMaxLength + 4 * 1024 * 1024);

        var verdict = await client.ScanAsync(content).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(ScanOutcome.Error, verdict.Outcome);
        Assert.Contains("size limit exceeded", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_port_throws_ClamdUnavailableException()
    {
        var client = Client(options => options.Port = ClosedLoopbackPort());
        using var content = new MemoryStream(Eicar());

        await Assert.ThrowsAsync<ClamdUnavailableException>(() => client.PingAsync()).WaitAsync(TestTimeout);
        await Assert.ThrowsAsync<ClamdUnavailableException>(() => client.ScanAsync(content)).WaitAsync(TestTimeout);
    }

    [Fact]
    public async Task Clamd_that_never_answers_throws_ClamdUnavailableException_after_read_timeout()
    {
        await using var silent = new SilentListener();
        var client = Client(options =>
        {
            options.Port = silent.Port;
            options.ReadTimeout = TimeSpan.FromMilliseconds(500);
        });
        using var content = new MemoryStream(RandomBytes(10_000, seed: 2));

        var ping = await Assert.ThrowsAsync<ClamdUnavailableException>(() => client.PingAsync()).WaitAsync(TestTimeout);
        var scan = await Assert.ThrowsAsync<ClamdUnavailableException>(() => client.ScanAsync(content))
            .WaitAsync(TestTimeout);

        Assert.IsType<TimeoutException>(ping.InnerException);
        Assert.IsType<TimeoutException>(scan.InnerException);
    }

    [Fact]
    public async Task Cancelled_scan_throws_OperationCanceledException_not_a_verdict()
    {
        await using var silent = new SilentListener();
        var client = Client(options => options.Port = silent.Port);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        using var content = new MemoryStream(RandomBytes(10_000, seed: 3));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ScanAsync(content, cancellation.Token))
            .WaitAsync(TestTimeout);
    }

    [Fact]
    public async Task Concurrent_scans_each_get_their_own_verdict()
    {
        var client = Client();

        var scans = Enumerable.Range(0, 8)
            .Select(i => client.ScanAsync(new MemoryStream(i % 2 == 0 ? Eicar() : RandomBytes(50_000, i))))
            .ToArray();
        var verdicts = await Task.WhenAll(scans).WaitAsync(TestTimeout);

        for (var i = 0; i < verdicts.Length; i++)
        {
            Assert.Equal(i % 2 == 0 ? ScanOutcome.Infected : ScanOutcome.Clean, verdicts[i].Outcome);
        }
    }
}
