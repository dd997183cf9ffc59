using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using TusUpload.Pipeline.Ledger;
using TusUpload.Protocol.Parsing;

namespace TusUpload.Pipeline.Status;

/// <summary>
/// <c>GET /uploads/{id}/status</c>: where a client's upload stands in processing, read from the ledger. Unknown and
/// malformed ids both answer 404 ProblemDetails, so that the endpoint reveals nothing about ids that do not exist.
/// </summary>
public static class UploadStatusEndpoints
{
    public const string Pattern = "/uploads/{id}/status";

    public static IEndpointRouteBuilder MapUploadStatus(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Pattern, GetStatusAsync)
            .WithName("GetUploadStatus")
            .Produces<UploadStatusResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }

    private static async Task<Results<Ok<UploadStatusResponse>, ProblemHttpResult>> GetStatusAsync(
        string id,
        IUploadLedger ledger,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var upload = UploadIds.IsValid(id) ? await ledger.GetAsync(id, cancellationToken) : null;
        if (upload is null)
        {
            StatusLog.Unknown(loggers.CreateLogger(typeof(UploadStatusEndpoints)), id.Length > 64 ? id[..64] : id);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Unknown upload",
                detail: "No upload has this id; ids are 32 lower-case hex digits.");
        }

        return TypedResults.Ok(new UploadStatusResponse(
            upload.UploadId,
            upload.State.ToText(),
            upload.Length,
            upload.Sha256,
            upload.Verdict,
            upload.FailureReason,
            upload.State.IsDownloadable(),
            upload.CreatedAt,
            upload.UpdatedAt));
    }
}
