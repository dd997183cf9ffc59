using Amazon.S3.Model;
using TusUpload.Protocol.Storage;
using TusUpload.Store.S3;

namespace TusUpload.Stores.IntegrationTests.S3;

/// <summary>Writes chunks to an S3 store and looks at what S3 holds, for the part-rule tests.</summary>
internal static class S3Chunks
{
    public static async Task<UploadInfo> CreateAsync(IUploadStore store, long? length)
    {
        var upload = TestData.Upload(length);
        await store.CreateAsync(upload, CancellationToken.None).WaitAsync(TestData.Timeout);
        return upload;
    }

    public static async Task<UploadInfo> WriteAsync(
        IUploadStore store,
        UploadInfo upload,
        ReadOnlyMemory<byte> bytes,
        bool allOrNothing = false,
        bool commit = true,
        int slice = 64 * 1024)
    {
        var options = new ChunkOptions(allOrNothing, (upload.Length ?? long.MaxValue) - upload.Offset);
        await using var writer = await store.OpenChunkAsync(upload, options, CancellationToken.None)
            .WaitAsync(TestData.Timeout);
        for (var start = 0; start < bytes.Length; start += slice)
        {
            var part = bytes.Slice(start, Math.Min(slice, bytes.Length - start));
            await writer.WriteAsync(part, CancellationToken.None).AsTask().WaitAsync(TestData.Timeout);
        }

        return commit ? await writer.CommitAsync(CancellationToken.None).WaitAsync(TestData.Timeout) : upload;
    }

    public static async Task<UploadInfo> GetAsync(IUploadStore store, string uploadId)
    {
        return await store.GetAsync(uploadId, CancellationToken.None).WaitAsync(TestData.Timeout)
            ?? throw new InvalidOperationException($"Upload {uploadId} is gone.");
    }

    public static async Task<S3UploadState> StateAsync(S3StoreFixture fixture, string uploadId)
    {
        return await fixture.Bucket.ReadStateAsync(uploadId, CancellationToken.None).WaitAsync(TestData.Timeout)
            ?? throw new InvalidOperationException($"Upload {uploadId} has no info object.");
    }

    /// <summary>The parts S3 itself holds for the upload's multipart upload (ListParts, not our info object).</summary>
    public static async Task<List<PartDetail>> ListPartsAsync(S3StoreFixture fixture, string uploadId)
    {
        var state = await StateAsync(fixture, uploadId);
        var response = await fixture.Client.ListPartsAsync(new ListPartsRequest
        {
            BucketName = fixture.Options.Bucket,
            Key = fixture.Bucket.Keys.Content(uploadId),
            UploadId = state.MultipartUploadId,
        }).WaitAsync(TestData.Timeout);
        return response.Parts ?? [];
    }

    /// <summary>
    /// Sends other bytes under a part number the info records, as a late request of a lost writer would.
    /// </summary>
    public static async Task OverwritePartAsync(S3StoreFixture fixture, string uploadId, int number, byte[] bytes)
    {
        var state = await StateAsync(fixture, uploadId);
        await fixture.Client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = fixture.Options.Bucket,
            Key = fixture.Bucket.Keys.Content(uploadId),
            UploadId = state.MultipartUploadId,
            PartNumber = number,
            InputStream = new MemoryStream(bytes, writable: false),
            PartSize = bytes.Length,
            UseChunkEncoding = false,
        }).WaitAsync(TestData.Timeout);
    }

    public static async Task<byte[]> ReadAllAsync(IUploadStore store, UploadInfo upload)
    {
        var stream = await store.OpenReadAsync(upload, 0, upload.Offset, CancellationToken.None)
            .WaitAsync(TestData.Timeout);
        return await TestData.ReadAllAsync(stream);
    }
}
