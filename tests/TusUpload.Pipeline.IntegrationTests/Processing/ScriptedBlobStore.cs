using TusUpload.Protocol.Storage;

namespace TusUpload.Pipeline.IntegrationTests.Processing;

/// <summary>
/// The disk blob store with a test's script: a step run right after every promotion (say, a DELETE racing it) and
/// releases of upload data that fail (say, a disk error after the worker's commit).
/// </summary>
internal sealed class ScriptedBlobStore(IBlobStore inner) : IBlobStore
{
    /// <summary>Runs after each promotion, with the upload's id.</summary>
    public Func<string, Task>? AfterPromote { get; set; }

    /// <summary>How many of the next releases of upload data fail before they remove anything.</summary>
    public int FailingReleases { get; set; }

    public async Task PromoteAsync(UploadInfo upload, string sha256, CancellationToken cancellationToken)
    {
        await inner.PromoteAsync(upload, sha256, cancellationToken);
        if (AfterPromote is { } afterPromote)
        {
            await afterPromote(upload.Id);
        }
    }

    public Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken) =>
        inner.ExistsAsync(sha256, cancellationToken);

    public Task<Stream> OpenReadAsync(string sha256, long start, long count, CancellationToken cancellationToken) =>
        inner.OpenReadAsync(sha256, start, count, cancellationToken);

    public Task ReleaseUploadDataAsync(string uploadId, CancellationToken cancellationToken)
    {
        if (FailingReleases > 0)
        {
            FailingReleases--;
            throw new IOException("The disk refused the release.");
        }

        return inner.ReleaseUploadDataAsync(uploadId, cancellationToken);
    }

    public Task DeleteAsync(string sha256, CancellationToken cancellationToken) =>
        inner.DeleteAsync(sha256, cancellationToken);
}
