using Microsoft.AspNetCore.Http;
using TusUpload.Protocol.Http;
using TusUpload.Protocol.Lifecycle;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Handlers;

/// <summary>
/// "When receiving a DELETE request for an existing upload the Server SHOULD free associated resources and MUST
/// respond with the 204 No Content status". A PATCH still writing is asked to hand over first.
/// </summary>
public sealed class DeleteHandler(
    UploadWriteAccess access,
    IUploadStore store,
    UploadRemoval removal,
    UploadStatusReader statuses)
{
    public async Task HandleAsync(HttpContext context, string uploadId)
    {
        var cancellationToken = context.RequestAborted;

        await using var uploadLock = await access.AcquireAsync(uploadId, cancellationToken);
        try
        {
            await DeleteAsync(context, uploadId, cancellationToken);
        }
        catch (UploadStoreException exception) when (exception.Error == UploadStoreError.Damaged)
        {
            // The store refused to free damaged state (on disk: a folder with content where the info file belongs,
            // which is not the store's to remove). The endpoint's usual reason for damage points to DELETE, which
            // here is what failed, so this answer says who can clear it instead.
            throw new TusRejection(
                StatusCodes.Status500InternalServerError,
                "The upload's stored state is damaged in a way DELETE cannot clear; the server's operator must "
                + "remove it.");
        }
    }

    private async Task DeleteAsync(HttpContext context, string uploadId, CancellationToken cancellationToken)
    {
        UploadInfo? upload;
        try
        {
            upload = await store.GetAsync(uploadId, cancellationToken);
        }
        catch (UploadStoreException exception) when (exception.Error == UploadStoreError.Damaged)
        {
            // Nothing can be read of it, so nothing else can be done with it: freeing it must still work.
            await removal.TerminateAsync(uploadId);
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        if (upload is null)
        {
            var status = await statuses.GetAsync(uploadId, cancellationToken);
            switch (status?.State)
            {
                case null or UploadStatusReader.TerminatedState:
                    throw TusRejection.NotFound();

                case UploadStatusReader.ExpiredState:
                    // E2: "DELETE → 204" for an expired upload also after the sweeper removed it.
                    break;

                default:
                    // Gone from the store but live downstream: an earlier DELETE removed the data and could not
                    // record the end, and answered 503 so that this retry records it.
                    await removal.RecordTerminationAsync(uploadId);
                    break;
            }

            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        // Finishes on a bound of its own, not the request's: see UploadRemoval.
        await (upload.IsExpired(DateTimeOffset.UtcNow)
            ? removal.ExpireAsync(uploadId)
            : removal.TerminateAsync(uploadId));

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }
}
