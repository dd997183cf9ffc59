using System.Text;
using TusUpload.Protocol.Http;

namespace TusUpload.Server;

/// <summary>
/// Answers every method no endpoint serves with 405 before the metrics middleware sees it: prometheus-net labels
/// request series by method, so made-up method names would otherwise add series to <c>/metrics</c> forever.
/// It carries the tus endpoint's CORS headers (<c>Tus:AllowedOrigins</c>), as every other answer of the endpoint
/// does, so that a script on an allowed origin can read the 405 rather than see a network error.
/// </summary>
internal sealed class UnknownMethodRejection(RequestDelegate next, TusCors cors)
{
    /// <summary>The methods some endpoint serves; PUT is not among them (tus answers it with 405 anyway).</summary>
    public const string Allowed = "GET, HEAD, POST, PATCH, DELETE, OPTIONS";

    private static readonly byte[] s_reason = Encoding.UTF8.GetBytes($"Method not allowed; use {Allowed}.\n");

    public Task InvokeAsync(HttpContext context)
    {
        if (IsServed(context.Request.Method))
        {
            return next(context);
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        response.Headers.Allow = Allowed;
        response.Headers[TusHeaders.TusResumable] = TusHeaders.Version;
        cors.Apply(context);
        response.ContentType = "text/plain; charset=utf-8";
        response.ContentLength = s_reason.Length;
        return response.Body.WriteAsync(s_reason, context.RequestAborted).AsTask();
    }

    // Kestrel interns the standard method names, so these comparisons are reference-fast for real clients.
    private static bool IsServed(string method) =>
        HttpMethods.IsGet(method)
        || HttpMethods.IsHead(method)
        || HttpMethods.IsPost(method)
        || HttpMethods.IsPatch(method)
        || HttpMethods.IsDelete(method)
        || HttpMethods.IsOptions(method);
}
