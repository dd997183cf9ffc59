using System.Security.Cryptography;
using static TusUpload.ClamAV.IntegrationTests.ClamdTestEnvironment;

namespace TusUpload.ClamAV.IntegrationTests;

public sealed class ClamdScanSessionTests
{
    public static TheoryData<string, int> Payloads() => new()
    {
        { "eicar", 1 },
        { "eicar", 7 },
        { "random", 4096 },
        { "random", 100_000 },
        { "clam.zip", 13 },
        { "clam.zip", 65_536 },
        { "empty", 1 },
    };

    [Theory]
    [MemberData(nameof(Payloads))]
    public async Task Session_gives_the_same_verdict_as_the_stream_scan(string payload, int writeSize)
    {
        var client = Client(options => options.ChunkSize = 1024);
        var content = Content(payload);
        using var stream = new MemoryStream(content);
        var expected = await client.ScanAsync(stream).WaitAsync(TestTimeout);

        await using var session = client.OpenScanSession();
        for (var offset = 0; offset < content.Length; offset += writeSize)
        {
            var piece = content.AsMemory(offset, Math.Min(writeSize, content.Length - offset));
            await session.WriteAsync(piece).AsTask().WaitAsync(TestTimeout);
        }

        var verdict = await session.CompleteAsync().WaitAsync(TestTimeout);

        Assert.Equal(expected, verdict);
        Assert.Equal(content.Length, session.BytesWritten);
        Assert.Equal(payload is "eicar" or "clam.zip" ? ScanOutcome.Infected : ScanOutcome.Clean, verdict.Outcome);
    }

    [Fact]
    public async Task Session_lets_the_caller_hash_and_scan_in_one_pass()
    {
        var client = Client();
        var content = RandomBytes(2 * 1024 * 1024 + 5, seed: 4);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        await using var session = client.OpenScanSession();
        foreach (var piece in content.Chunk(100_000))
        {
            hash.AppendData(piece);
            await session.WriteAsync(piece).AsTask().WaitAsync(TestTimeout);
        }

        var verdict = await session.CompleteAsync().WaitAsync(TestTimeout);

        Assert.Equal(ScanVerdict.Clean, verdict);
        Assert.Equal(SHA256.HashData(content), hash.GetHashAndReset());
    }

    [Fact]
    public async Task Session_over_the_limit_is_decided_as_error_and_ignores_further_writes()
    {
        var client = Client(options => options.MaxStreamLength = 10_000);
        var piece = RandomBytes(4_000, seed: 5);

        await using var session = client.OpenScanSession();
        for (var i = 0; i < 5; i++)
        {
            await session.WriteAsync(piece).AsTask().WaitAsync(TestTimeout);
        }

        var decidedEarly = session.IsDecided;
        var verdict = await session.CompleteAsync().WaitAsync(TestTimeout);

        Assert.True(decidedEarly);
        Assert.Equal(ScanOutcome.Error, verdict.Outcome);
        Assert.Equal(20_000, session.BytesWritten);
    }

    [Fact]
    public async Task Session_cannot_be_written_after_completion()
    {
        var client = Client();
        await using var session = client.OpenScanSession();
        await session.WriteAsync(Eicar()).AsTask().WaitAsync(TestTimeout);
        await session.CompleteAsync().WaitAsync(TestTimeout);

        await Assert.ThrowsAsync<InvalidOperationException>(() => session.WriteAsync(Eicar()).AsTask())
            .WaitAsync(TestTimeout);
        await Assert.ThrowsAsync<InvalidOperationException>(() => session.CompleteAsync()).WaitAsync(TestTimeout);
    }

    [Fact]
    public async Task Session_against_unreachable_clamd_throws_on_first_full_chunk_or_completion()
    {
        var client = Client(options => options.Port = ClosedLoopbackPort());

        await using var session = client.OpenScanSession();
        await session.WriteAsync(new byte[100]).AsTask().WaitAsync(TestTimeout);

        await Assert.ThrowsAsync<ClamdUnavailableException>(() => session.CompleteAsync()).WaitAsync(TestTimeout);
    }

    private static byte[] Content(string payload) => payload switch
    {
        "eicar" => Eicar(),
        "random" => RandomBytes(300_000, seed: 6),
        "clam.zip" => ClamZip(),
        "empty" => [],
        _ => throw new ArgumentOutOfRangeException(nameof(payload), payload, "unknown payload"),
    };
}
