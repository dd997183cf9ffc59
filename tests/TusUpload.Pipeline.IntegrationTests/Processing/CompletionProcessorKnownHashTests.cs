using System.Text;
using TusUpload.Pipeline.Ledger;

namespace TusUpload.Pipeline.IntegrationTests.Processing;

/// <summary>A store that hashed the bytes it stored spares the processor a read-back, but only with no scan.</summary>
public sealed class CompletionProcessorKnownHashTests
{
    [Fact]
    public async Task Hash_known_to_the_store_is_used_without_reading_the_content_back_when_scanning_is_off()
    {
        // Arrange
        HashKnowingUploadStore? store = null;
        await using var host = ProcessingTestHost.StartWithStore(scan: false, inner => store = new(inner));
        var content = Encoding.UTF8.GetBytes("hashed by the store while it was stored");
        var sha256 = ProcessingTestHost.Sha256Hex(content);
        var id = await host.ReceiveAsync(content);
        store!.Know(id, sha256);

        // Act
        await host.ProcessAsync(id);

        // Assert
        var upload = await host.GetAsync(id);
        Assert.Equal(UploadState.Available, upload.State);
        Assert.Equal(sha256, upload.Sha256);
        Assert.Equal(0, store.Reads);
        Assert.Equal(1, host.BlobFileCount());
        var blob = await host.Blobs.OpenReadAsync(sha256, 0, content.Length, default);
        await using (blob)
        {
            using var copy = new MemoryStream();
            await blob.CopyToAsync(copy);
            Assert.Equal(content, copy.ToArray());
        }
    }

    [Fact]
    public async Task Declared_sha256_is_still_checked_against_the_hash_the_store_knows()
    {
        // Arrange
        HashKnowingUploadStore? store = null;
        await using var host = ProcessingTestHost.StartWithStore(scan: false, inner => store = new(inner));
        var content = Encoding.UTF8.GetBytes("declared wrongly");
        var wrong = ProcessingTestHost.Sha256Hex(Encoding.UTF8.GetBytes("something else"));
        var metadata = "sha256 " + Convert.ToBase64String(Encoding.ASCII.GetBytes(wrong));
        var id = await host.ReceiveAsync(content, metadata);
        store!.Know(id, ProcessingTestHost.Sha256Hex(content));

        // Act
        await host.ProcessAsync(id);

        // Assert
        var upload = await host.GetAsync(id);
        Assert.Equal(UploadState.Failed, upload.State);
        Assert.Equal(0, store.Reads);
    }

    [Fact]
    public async Task With_scanning_on_the_content_is_read_and_scanned_even_when_the_store_knows_its_hash()
    {
        // Arrange
        HashKnowingUploadStore? store = null;
        await using var host = ProcessingTestHost.StartWithStore(scan: true, inner => store = new(inner));
        var content = ProcessingTestHost.Eicar();
        var id = await host.ReceiveAsync(content);
        store!.Know(id, ProcessingTestHost.Sha256Hex(content));

        // Act
        await host.ProcessAsync(id);

        // Assert
        var upload = await host.GetAsync(id);
        Assert.Equal(UploadState.Quarantined, upload.State);
        Assert.Equal(1, store.Reads);
        Assert.Equal(0, host.BlobFileCount());
    }
}
