using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using TusUpload.Pipeline.Ledger;
using TusUpload.Protocol.Http;
using TusUpload.Protocol.Parsing;

namespace TusUpload.Pipeline.Status;

/// <summary>
/// <c>GET /uploads/{id}/status</c>: where a client's upload stands in processing, read from the ledger. Unknown and
/// malformed ids both answer 404 ProblemDetails, so that the endpoint reveals nothing about ids that do not exist.
/// It shares the tus endpoint's CORS policy (<c>Tus:AllowedOrigins</c>): the browser app that uploaded a file is
/// the one that polls for its status.
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
        endpoints.MapMethods(Pattern, [HttpMethods.Options], AnswerPreflight)
            .WithName("PreflightUploadStatus")
            .ExcludeFromDescription();
        return endpoints;
    }

    /// <summary>A browser asks before a GET with non-simple headers; allowed origins get the CORS answer.</summary>
    private static NoContent AnswerPreflight(HttpContext context, TusCors cors)
    {
        cors.ApplyPreflight(context);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<UploadStatusResponse>, ProblemHttpResult>> GetStatusAsync(
        string id,
        HttpContext context,
        TusCors cors,
        IUploadLedger ledger,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        cors.Apply(context);

        LedgerUpload? upload;
        try
        {
            upload = UploadIds.IsValid(id) ? await ledger.GetAsync(id, cancellationToken) : null;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The ledger's database is down or busy: a retryable answer in the endpoint's own format, not a bare 500.
            StatusLog.LedgerUnavailable(
                loggers.CreateLogger(typeof(UploadStatusEndpoints)),
                id.Length > 64 ? id[..64] : id,
                exception);
            context.Response.Headers.RetryAfter = "1";
            return TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Status unavailable",
                detail: "The processing ledger cannot be read right now; retry.");
        }

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
