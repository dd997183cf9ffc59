using System.Globalization;
using Microsoft.AspNetCore.Http;
using TusUpload.Protocol.Http;
using TusUpload.Protocol.Lifecycle;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Handlers;

/// <summary>
/// "The Server MUST always include the Upload-Offset header in the response for a HEAD request" and "MUST
/// prevent the client and/or proxies from caching the response". Reads durable state; takes no write lock.
/// </summary>
public sealed class HeadHandler(IUploadStore store, UploadStatusReader statuses, UploadUrls urls)
{
    public async Task HandleAsync(HttpContext context, string uploadId)
    {
        var cancellationToken = context.RequestAborted;
        var response = context.Response;
        response.Headers.CacheControl = "no-store";

        var upload = await store.GetAsync(uploadId, cancellationToken) ?? throw TusRejection.NotFound();
        if (upload.IsExpired(DateTimeOffset.UtcNow))
        {
            throw new TusRejection(410, "Upload expired.");
        }

        var headers = response.Headers;
        TusResponses.SetOffset(response, upload.Offset);
        if (upload.Length is { } length)
        {
            headers[TusHeaders.UploadLength] = length.ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            headers[TusHeaders.UploadDeferLength] = "1";
        }

        if (upload.Metadata is not null)
        {
            headers[TusHeaders.UploadMetadata] = upload.Metadata;
        }

        SetConcat(context, upload);
        TusResponses.SetExpires(response, upload);

        if (upload.IsComplete && upload.Concat.Kind != UploadConcatKind.Partial)
        {
            var status = await statuses.GetAsync(upload.Id, cancellationToken);
            if (status is not null && IsToken(status.State))
            {
                headers[TusHeaders.UploadProcessingState] = status.State;
            }
        }

        response.StatusCode = StatusCodes.Status200OK;
    }

    // The state comes from another component; only a plain token may become a header value.
    private static bool IsToken(string state) =>
        state.Length is > 0 and <= 64 && !state.AsSpan().ContainsAnyExcept("abcdefghijklmnopqrstuvwxyz0123456789_-");

    private void SetConcat(HttpContext context, UploadInfo upload)
    {
        var headers = context.Response.Headers;
        switch (upload.Concat.Kind)
        {
            case UploadConcatKind.Partial:
                headers[TusHeaders.UploadConcat] = "partial";
                break;
            case UploadConcatKind.Final:
                var collection = urls.Collection(context);
                var partialUrls = upload.Concat.PartialIds.Select(id => new Uri(collection, id).AbsoluteUri);
                headers[TusHeaders.UploadConcat] = "final;" + string.Join(' ', partialUrls);
                break;
            default:
                break;
        }
    }
}
