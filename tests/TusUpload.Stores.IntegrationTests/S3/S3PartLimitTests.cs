using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using TusUpload.Protocol.Storage;
using TusUpload.Store.S3;

namespace TusUpload.Stores.IntegrationTests.S3;

/// <summary>Part size and part count limits under many interruptions, and S3 outages.</summary>
public sealed class S3PartLimitTests(S3SmallPartCountFixture fixture) : IClassFixture<S3SmallPartCountFixture>
{
    private const int MiB = 1024 * 1024;

    private IUploadStore Store => fixture.Store;

    [Fact]
    public async Task Upload_interrupted_many_times_completes_with_equal_parts_within_the_part_limit()
    {
        var limit = S3StoreFixture.PartSize * S3SmallPartCountFixture.MaxParts;
        var bytes = TestData.Bytes((int)limit - 12_345, seed: 21);
        var upload = await S3Chunks.CreateAsync(Store, bytes.Length);
        var random = new Random(21);
        var interruptions = 0;

        while (upload.Offset + (2 * MiB) < bytes.Length && interruptions < 60)
        {
            var size = Math.Min(random.Next(1, 3 * MiB), bytes.Length - (int)upload.Offset - 1);
            var chunk = bytes.AsMemory((int)upload.Offset, size);
            var mode = random.Next(4);

            // Each instance of the store sees only what the previous one left in S3, as after a crash.
            var instance = fixture.OpenAnotherInstance();
            if (mode == 0)
            {
                await S3Chunks.WriteAsync(instance, upload, chunk, allOrNothing: true, commit: false);
            }
            else if (mode == 1)
            {
                await S3Chunks.WriteAsync(instance, upload, chunk, allOrNothing: false, commit: false);
            }
            else
            {
                await S3Chunks.WriteAsync(instance, upload, chunk, allOrNothing: mode == 3);
            }

            interruptions++;
            upload = await S3Chunks.GetAsync(Store, upload.Id);
        }

        var partsBeforeLast = await S3Chunks.ListPartsAsync(fixture, upload.Id);
        var recorded = (await S3Chunks.StateAsync(fixture, upload.Id)).Parts;
        var completed = await S3Chunks.WriteAsync(Store, upload, bytes.AsMemory((int)upload.Offset));
        var final = await S3Chunks.StateAsync(fixture, upload.Id);

        Assert.True(interruptions >= 10, $"only {interruptions} interruptions");
        Assert.All(recorded, part => Assert.Equal(S3StoreFixture.PartSize, part.Size));
        Assert.All(
            partsBeforeLast.Where(part => recorded.Any(r => r.Number == part.PartNumber)),
            part => Assert.Equal(S3StoreFixture.PartSize, part.Size));
        Assert.InRange(final.Parts.Count, 1, S3SmallPartCountFixture.MaxParts);
        Assert.All(final.Parts.SkipLast(1), part => Assert.Equal(S3StoreFixture.PartSize, part.Size));
        Assert.Equal(Enumerable.Range(1, final.Parts.Count), final.Parts.Select(part => part.Number));
        Assert.Equal(bytes, await S3Chunks.ReadAllAsync(Store, completed));
    }

    [Fact]
    public async Task Upload_longer_than_the_parts_allow_is_refused_with_LimitExceeded()
    {
        var limit = S3StoreFixture.PartSize * S3SmallPartCountFixture.MaxParts;

        var error = await Assert.ThrowsAsync<UploadStoreException>(
            () => S3Chunks.CreateAsync(Store, limit + 1));

        Assert.Equal(UploadStoreError.LimitExceeded, error.Error);
    }

    [Fact]
    public async Task Unreachable_S3_gives_Unavailable_for_reads_and_writes()
    {
        var options = new S3StoreOptions
        {
            ServiceUrl = $"http://127.0.0.1:{ClosedPort()}",
            Bucket = fixture.Options.Bucket,
            AccessKey = "test",
            SecretKey = "test",
            PartSize = S3StoreFixture.PartSize,
            MaxRetries = 0,
            RequestTimeout = TimeSpan.FromSeconds(5),
        };
        var store = new S3UploadStore(
            new S3Bucket(S3StoreRegistration.CreateClient(options), new S3StoreSettings(options, null)),
            NullLogger<S3UploadStore>.Instance);

        var get = await Assert.ThrowsAsync<UploadStoreException>(
            () => store.GetAsync(TestData.NewId(), CancellationToken.None).WaitAsync(TestData.Timeout));
        var create = await Assert.ThrowsAsync<UploadStoreException>(
            () => store.CreateAsync(TestData.Upload(10), CancellationToken.None).WaitAsync(TestData.Timeout));

        Assert.Equal(UploadStoreError.Unavailable, get.Error);
        Assert.Equal(UploadStoreError.Unavailable, create.Error);
    }

    /// <summary>A loopback port nothing listens on: taken from the OS, then closed.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
