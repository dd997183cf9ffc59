using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using TusUpload.Protocol.Download;
using TusUpload.Protocol.Http;
using TusUpload.Protocol.Lifecycle;
using TusUpload.Protocol.Parsing;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Handlers;

/// <summary>
/// GET of a complete upload (not part of tus). Unfinished uploads answer 409; complete ones that processing has
/// not released answer 403 when quarantined, 409 without Retry-After when processing failed, 410 when the upload
/// ended (terminated or expired) before its data went, and 409 with Retry-After otherwise. Serves one range at
/// most.
/// </summary>
public sealed class DownloadHandler(
    IUploadStore store,
    UploadStatusReader statuses,
    IUploadContentSource contentSource,
    IOptions<TusOptions> options)
{
    /// <summary>The lifecycle state of an upload whose processing gave up; it is never served.</summary>
    private const string FailedState = "failed";

    public async Task HandleAsync(HttpContext context, string uploadId)
    {
        var cancellationToken = context.RequestAborted;
        var upload = await store.GetAsync(uploadId, cancellationToken)
            ?? throw await statuses.MissingAsync(uploadId, cancellationToken);
        var status = await RequireDownloadableAsync(upload, cancellationToken);

        var length = upload.Length!.Value;
        var response = context.Response;
        var etag = status?.ContentSha256 is { } sha256 ? $"\"{sha256}\"" : $"\"{upload.Id}-{length}\"";
        response.Headers.ETag = etag;
        response.Headers.AcceptRanges = "bytes";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        response.Headers.CacheControl = "private, no-cache";

        // RFC 9110, 13.2.2: If-Match is evaluated first, and a false one ends the request before If-None-Match.
        if (!MatchesIfMatch(context.Request, etag))
        {
            await TusResponses.WriteErrorAsync(
                context,
                StatusCodes.Status412PreconditionFailed,
                "If-Match names no current ETag of the upload.",
                cancellationToken);
            return;
        }

        if (MatchesIfNoneMatch(context.Request, etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        var outcome = RangeHeader.Evaluate(RangeOf(context.Request, etag), length, out var range);
        if (outcome == RangeOutcome.Unsatisfiable)
        {
            response.Headers.ContentRange = $"bytes */{length}";
            await TusResponses.WriteErrorAsync(context, 416, "Range not satisfiable.", cancellationToken);
            return;
        }

        var metadata = ParsedMetadata(upload);
        var contentType = DownloadHeaders.ContentType(metadata);
        response.ContentType = contentType;
        response.Headers.ContentDisposition = DownloadHeaders.ContentDisposition(metadata, contentType, upload.Id);
        response.ContentLength = range.Length;

        if (outcome == RangeOutcome.Partial)
        {
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = string.Create(
                CultureInfo.InvariantCulture,
                $"bytes {range.Start}-{range.End}/{length}");
        }
        else
        {
            response.StatusCode = StatusCodes.Status200OK;
        }

        if (range.Length == 0)
        {
            return;
        }

        await using var content = await contentSource.OpenReadAsync(
            upload,
            status,
            range.Start,
            range.Length,
            cancellationToken);
        await content.CopyToAsync(response.Body, cancellationToken);
    }

    private async Task<UploadProcessingStatus?> RequireDownloadableAsync(
        UploadInfo upload,
        CancellationToken cancellationToken)
    {
        if (upload.IsExpired(DateTimeOffset.UtcNow))
        {
            throw new TusRejection(410, "Upload expired.");
        }

        if (!upload.IsComplete)
        {
            throw new TusRejection(409, "The upload is not complete.");
        }

        if (upload.Concat.Kind == UploadConcatKind.Partial)
        {
            throw new TusRejection(403, "Partial uploads are served only through their final upload.");
        }

        var status = await statuses.GetAsync(upload.Id, cancellationToken);
        if (status is null || status.Downloadable)
        {
            return status;
        }

        // Only a state that processing may still leave earns Retry-After; the ends it never leaves are told apart,
        // or a client would poll them for ever.
        throw status.State switch
        {
            "quarantined" => new TusRejection(403, "The upload is quarantined."),
            FailedState => new TusRejection(409, "Processing of the upload failed; it will not be served."),

            // The upload ended while the store still holds its data (the sweeper or a DELETE removes it shortly).
            UploadStatusReader.ExpiredState => new TusRejection(410, "Upload expired."),
            UploadStatusReader.TerminatedState => new TusRejection(410, "The upload was terminated."),
            _ => new TusRejection(409, "The upload is still being processed.")
            {
                RetryAfterSeconds = options.Value.DownloadRetryAfterSeconds,
            },
        };
    }

    // "If the validator given in the If-Range header field matches the current validator for the selected
    // representation of the target resource, then the server SHOULD process the Range header field as requested.
    // If the validator does not match, then the server MUST ignore the Range header field." (RFC 9110, 13.1.5)
    private static string RangeOf(HttpRequest request, string etag)
    {
        var range = request.Headers.Range.ToString();
        var ifRange = request.Headers.IfRange;
        return ifRange.Count == 0 || MatchesIfRange(ifRange.ToString(), etag) ? range : string.Empty;
    }

    // Only a strong comparison counts, so a weak tag never matches; a date never does either, as we send no
    // Last-Modified and so cannot call one a strong validator. A malformed header matches nothing.
    private static bool MatchesIfRange(string ifRange, string etag) =>
        RangeConditionHeaderValue.TryParse(ifRange, out var condition)
        && condition.EntityTag is { } tag
        && tag.Compare(new EntityTagHeaderValue(etag), useStrongComparison: true);

    // "An origin server MUST use the strong comparison function when comparing entity tags for If-Match"; "*"
    // matches any current representation (RFC 9110, 13.1.1). Absent, it holds; malformed, it matches nothing.
    private static bool MatchesIfMatch(HttpRequest request, string etag)
    {
        var header = request.Headers.IfMatch;
        if (header.Count == 0)
        {
            return true;
        }

        if (!EntityTagHeaderValue.TryParseList(header, out var tags))
        {
            return false;
        }

        var ours = new EntityTagHeaderValue(etag);
        foreach (var tag in tags)
        {
            if (tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(ours, useStrongComparison: true))
            {
                return true;
            }
        }

        return false;
    }

    private static bool MatchesIfNoneMatch(HttpRequest request, string etag)
    {
        var header = request.Headers.IfNoneMatch;
        if (header.Count == 0 || !EntityTagHeaderValue.TryParseList(header, out var tags))
        {
            return false;
        }

        var ours = new EntityTagHeaderValue(etag);
        foreach (var tag in tags)
        {
            if (tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(ours, useStrongComparison: false))
            {
                return true;
            }
        }

        return false;
    }

    private static UploadMetadata ParsedMetadata(UploadInfo upload) =>
        UploadMetadata.TryParse(upload.Metadata, out var metadata, out _) ? metadata : UploadMetadata.Empty;
}
