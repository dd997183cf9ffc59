using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using TusUpload.Protocol.Diagnostics;
using TusUpload.Protocol.Handlers;
using TusUpload.Protocol.Parsing;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Http;

/// <summary>
/// The single entry point of the tus endpoint: common headers, CORS, method override, the version check and
/// the id check, then one handler per method. Every refusal becomes plain text with its exact status code.
/// </summary>
public sealed class TusEndpoint(
    TusCors cors,
    OptionsHandler optionsHandler,
    HeadHandler headHandler,
    PatchHandler patchHandler,
    CreationHandler creationHandler,
    DeleteHandler deleteHandler,
    DownloadHandler downloadHandler,
    ILogger<TusEndpoint> logger)
{
    public const string IdRouteValue = "id";

    /// <summary>The methods the collection (the base path) supports, for <c>Allow</c>.</summary>
    public const string CollectionMethods = "POST, OPTIONS";

    /// <summary>The methods an upload URL supports, for <c>Allow</c>.</summary>
    public const string UploadMethods = "GET, HEAD, PATCH, DELETE, OPTIONS";

    public async Task HandleAsync(HttpContext context)
    {
        context.Response.Headers[TusHeaders.TusResumable] = TusHeaders.Version;

        if (cors.IsPreflight(context))
        {
            cors.ApplyPreflight(context);
            optionsHandler.Handle(context);
            return;
        }

        cors.Apply(context);

        try
        {
            await DispatchAsync(context);
        }
        catch (Exception exception)
        {
            await AnswerFailureAsync(context, exception);
        }
    }

    private async Task DispatchAsync(HttpContext context)
    {
        var request = context.Request;
        var id = context.GetRouteValue(IdRouteValue) as string ?? string.Empty;
        var method = EffectiveMethod(request);
        RequestHeaders.RequireOnlyChunkedTransferCoding(request);

        if (HttpMethods.IsOptions(method))
        {
            // "The Tus-Resumable header MUST be included in every request and response except for OPTIONS
            // requests", so whatever an OPTIONS request carries there is ignored.
            optionsHandler.Handle(context);
            return;
        }

        // Downloads are not tus requests, so they need no Tus-Resumable.
        if (HttpMethods.IsGet(method))
        {
            if (id.Length == 0)
            {
                throw MethodNotAllowed(CollectionMethods);
            }

            await downloadHandler.HandleAsync(context, RequireId(id));
            return;
        }

        RequireSupportedVersion(request);

        if (id.Length == 0)
        {
            RequireMethod(method, HttpMethods.Post, CollectionMethods);
            await creationHandler.HandleAsync(context);
            return;
        }

        RequireId(id);
        if (HttpMethods.IsHead(method))
        {
            await headHandler.HandleAsync(context, id);
        }
        else if (HttpMethods.IsPatch(method))
        {
            await patchHandler.HandleAsync(context, id);
        }
        else if (HttpMethods.IsDelete(method))
        {
            await deleteHandler.HandleAsync(context, id);
        }
        else
        {
            throw MethodNotAllowed(UploadMethods);
        }
    }

    /// <summary>G3: a POST with <c>X-HTTP-Method-Override</c> is handled as the method it names.</summary>
    private static string EffectiveMethod(HttpRequest request)
    {
        if (!HttpMethods.IsPost(request.Method))
        {
            return request.Method;
        }

        var overrideValue = RequestHeaders.Single(request, TusHeaders.MethodOverride);
        if (overrideValue is null)
        {
            return request.Method;
        }

        return overrideValue.ToUpperInvariant() switch
        {
            "PATCH" => HttpMethods.Patch,
            "DELETE" => HttpMethods.Delete,
            "HEAD" => HttpMethods.Head,
            "POST" => HttpMethods.Post,
            _ => throw TusRejection.BadRequest("X-HTTP-Method-Override must be PATCH, DELETE, HEAD or POST."),
        };
    }

    /// <summary>G2: "If the version specified by the Client is not supported … it MUST respond with 412".</summary>
    private static void RequireSupportedVersion(HttpRequest request)
    {
        if (request.Headers[TusHeaders.TusResumable] != TusHeaders.Version)
        {
            throw new TusRejection(412, $"Tus-Resumable must be {TusHeaders.Version}.");
        }
    }

    private static string RequireId(string id) => UploadIds.IsValid(id) ? id : throw TusRejection.NotFound();

    private static void RequireMethod(string method, string expected, string allow)
    {
        if (!string.Equals(method, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw MethodNotAllowed(allow);
        }
    }

    private static TusRejection MethodNotAllowed(string allow) =>
        new(405, $"Method not allowed here; use {allow}.") { Allow = allow };

    private async Task AnswerFailureAsync(HttpContext context, Exception exception)
    {
        var request = context.Request;
        var (statusCode, reason) = Classify(context, exception);
        if (context.Response.HasStarted)
        {
            return;
        }

        if (statusCode == 0)
        {
            // Nobody to answer; the status is only what the request metrics and log record.
            context.Response.StatusCode = BodyAnswers.ClientClosedRequest;
            return;
        }

        TusLog.Rejected(logger, request.Method, request.Path, statusCode, reason, RequestUpload.IdOf(context));
        if (statusCode == 412)
        {
            context.Response.Headers[TusHeaders.TusVersion] = TusHeaders.Version;
        }

        if (RetryAfterSeconds(exception, statusCode) is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        }

        if (exception is TusRejection { Allow: { } allow })
        {
            context.Response.Headers.Allow = allow;
        }

        await TusResponses.WriteErrorAsync(context, statusCode, reason, context.RequestAborted);
    }

    private (int StatusCode, string Reason) Classify(HttpContext context, Exception exception)
    {
        var request = context.Request;
        var uploadId = RequestUpload.IdOf(context);
        switch (exception)
        {
            case TusRejection rejection:
                return (rejection.StatusCode, rejection.Message);
            case UploadStoreException { Error: UploadStoreError.NotFound }:
                return (404, "Upload not found.");
            case UploadStoreException { Error: UploadStoreError.LimitExceeded } limit:
                return (413, OneLine(limit.Message));
            case UploadStoreException { Error: UploadStoreError.AlreadyExists }:
                return (409, "The upload already exists.");
            case UploadStoreException { Error: UploadStoreError.Damaged }:
                return (500, "The upload's stored state is damaged; only DELETE can still remove it.");
            case UploadStoreException { Error: UploadStoreError.Rewound } rewound:
                // 503 rather than 409: the client did nothing wrong and the store logged the fault; tus clients and
                // generic retry policies retry a 503, and tus-js-client's retry reads the offset by HEAD first.
                return (503, OneLine(rewound.Message));
            case UploadStoreException { Error: UploadStoreError.Unavailable } unavailable:
                TusLog.StoreUnavailable(logger, exception, request.Method, request.Path, uploadId);
                return (503, unavailable.ClientReason ?? "Storage is temporarily unavailable; retry.");
            case BadHttpRequestException badRequest:
                return (badRequest.StatusCode, "Malformed request.");
            case Exception when context.RequestAborted.IsCancellationRequested:
                // The client went away (cancelled read or write, reset connection): not our fault, nobody to answer.
                TusLog.RequestAborted(logger, request.Method, request.Path, uploadId);
                return (0, string.Empty);
            case OperationCanceledException:
                // The client is still there, so one of the server's own bounds ran out (a store or the ledger too
                // slow within Tus:CommitTimeout): like an unavailable store, worth a retry, not a fault of ours.
                TusLog.TimedOut(logger, exception, request.Method, request.Path, uploadId);
                return (503, "The server timed out storing or recording this request; retry.");
            default:
                TusLog.Failed(logger, exception, request.Method, request.Path, uploadId);
                return (500, "Internal server error.");
        }
    }

    /// <summary>
    /// <c>Retry-After</c> for a refusal that says when to retry, and for the 503s of an unavailable store or lock and
    /// of an outrun bound: their cause is transient, and a client that is told so waits instead of giving up.
    /// </summary>
    private static int? RetryAfterSeconds(Exception exception, int statusCode) => exception switch
    {
        TusRejection rejection => rejection.RetryAfterSeconds,
        _ when statusCode == 503 => 1,
        _ => null,
    };

    private static string OneLine(string text)
    {
        var newline = text.AsSpan().IndexOfAny('\r', '\n');
        return newline < 0 ? text : text[..newline];
    }
}
