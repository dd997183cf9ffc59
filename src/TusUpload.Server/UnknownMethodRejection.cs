using System.Text;
using Microsoft.Extensions.Options;
using TusUpload.Protocol;
using TusUpload.Protocol.Http;

namespace TusUpload.Server;

/// <summary>
/// Answers every method no endpoint serves with 405 before the metrics middleware sees it: prometheus-net labels
/// request series by method, so made-up method names would otherwise add series to <c>/metrics</c> forever.
/// It carries the tus endpoint's CORS headers (<c>Tus:AllowedOrigins</c>), as every other answer of the endpoint
/// does, so that a script on an allowed origin can read the 405 rather than see a network error. <c>Allow</c>
/// names what the addressed resource supports, as the tus endpoint's own 405 does; routing has not run yet, so
/// the path is matched against <c>Tus:BasePath</c> here.
/// </summary>
internal sealed class UnknownMethodRejection(RequestDelegate next, TusCors cors, IOptions<TusOptions> options)
{
    /// <summary>
    /// The methods some endpoint serves, the <c>Allow</c> outside the tus base path; PUT is not among them (tus
    /// answers it with 405 anyway).
    /// </summary>
    public const string Allowed = "GET, HEAD, POST, PATCH, DELETE, OPTIONS";

    private readonly string _basePath = options.Value.BasePath;

    public Task InvokeAsync(HttpContext context)
    {
        if (IsServed(context.Request.Method))
        {
            return next(context);
        }

        var allow = AllowFor(context.Request.Path);
        var reason = Encoding.UTF8.GetBytes($"Method not allowed; use {allow}.\n");
        var response = context.Response;
        response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        response.Headers.Allow = allow;
        response.Headers[TusHeaders.TusResumable] = TusHeaders.Version;
        cors.Apply(context);
        response.ContentType = "text/plain; charset=utf-8";
        response.ContentLength = reason.Length;
        return response.Body.WriteAsync(reason, context.RequestAborted).AsTask();
    }

    // Routing matches paths case-insensitively; the collection is mapped with and without its trailing slash.
    private string AllowFor(PathString path)
    {
        var value = path.Value ?? string.Empty;
        if (value.Equals(_basePath, StringComparison.OrdinalIgnoreCase)
            || value.Equals(_basePath.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
        {
            return TusEndpoint.CollectionMethods;
        }

        return value.StartsWith(_basePath, StringComparison.OrdinalIgnoreCase) ? TusEndpoint.UploadMethods : Allowed;
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
