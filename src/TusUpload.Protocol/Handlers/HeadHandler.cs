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

        var upload = await store.GetAsync(uploadId, cancellationToken)
            ?? throw await statuses.MissingAsync(uploadId, cancellationToken);
        if (upload.IsExpired(DateTimeOffset.UtcNow))
        {
            throw new TusRejection(410, "Upload expired.");
        }

        // Built before any header is set: a request without a usable Host is refused with 400 and nothing else.
        var concat = ConcatOf(context, upload);

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

        if (concat is not null)
        {
            headers[TusHeaders.UploadConcat] = concat;
        }

        TusResponses.SetExpires(response, upload);

        if (upload.IsComplete && upload.Concat.Kind != UploadConcatKind.Partial)
        {
            var status = await statuses.TryGetAsync(upload.Id, cancellationToken);
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

    private string? ConcatOf(HttpContext context, UploadInfo upload)
    {
        switch (upload.Concat.Kind)
        {
            case UploadConcatKind.Partial:
                return "partial";
            case UploadConcatKind.Final:
                var collection = urls.Collection(context);
                var partialUrls = upload.Concat.PartialIds.Select(id => new Uri(collection, id).AbsoluteUri);
                return "final;" + string.Join(' ', partialUrls);
            default:
                return null;
        }
    }
}
