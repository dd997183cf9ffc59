using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace TusUpload.Protocol.Http;

/// <summary>CORS for browser clients: headers on every response (errors too) when the origin is allowed.</summary>
public sealed class TusCors(IOptions<TusOptions> options)
{
    private readonly HashSet<string> _origins = new(options.Value.AllowedOrigins, StringComparer.OrdinalIgnoreCase);

    public bool IsPreflight(HttpContext context) =>
        HttpMethods.IsOptions(context.Request.Method)
        && context.Request.Headers.Origin.Count > 0
        && context.Request.Headers.AccessControlRequestMethod.Count > 0;

    /// <summary>Adds the response headers for an allowed origin; returns whether the origin is allowed.</summary>
    public bool Apply(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length == 0 || _origins.Count == 0)
        {
            return false;
        }

        var headers = context.Response.Headers;
        headers.Vary = "Origin";

        if (_origins.Contains("*"))
        {
            headers.AccessControlAllowOrigin = "*";
        }
        else if (_origins.Contains(origin))
        {
            headers.AccessControlAllowOrigin = origin;
        }
        else
        {
            return false;
        }

        headers.AccessControlExposeHeaders = TusHeaders.CorsExposeHeaders;
        return true;
    }

    public void ApplyPreflight(HttpContext context)
    {
        if (!Apply(context))
        {
            return;
        }

        var headers = context.Response.Headers;
        headers.AccessControlAllowMethods = TusHeaders.CorsAllowMethods;
        headers.AccessControlAllowHeaders = TusHeaders.CorsAllowHeaders;
        headers.AccessControlMaxAge = "86400";
    }
}
