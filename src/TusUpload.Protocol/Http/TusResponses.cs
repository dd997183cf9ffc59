using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Http;

/// <summary>Writes the parts of responses that several handlers share.</summary>
public static class TusResponses
{
    /// <summary>Plain-text refusal with a one-line reason; no body where HTTP forbids one.</summary>
    public static async Task WriteErrorAsync(
        HttpContext context,
        int statusCode,
        string reason,
        CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.StatusCode = statusCode;

        if (statusCode is 204 or 304 || HttpMethods.IsHead(context.Request.Method) || IsHeadOverride(context))
        {
            return;
        }

        var body = Encoding.UTF8.GetBytes(reason + "\n");
        response.ContentType = "text/plain; charset=utf-8";
        response.ContentLength = body.Length;
        response.Headers.XContentTypeOptions = "nosniff";
        await response.Body.WriteAsync(body, cancellationToken);
    }

    public static void SetOffset(HttpResponse response, long offset) =>
        response.Headers[TusHeaders.UploadOffset] = offset.ToString(CultureInfo.InvariantCulture);

    /// <summary>"The Upload-Expires response header indicates when the unfinished upload expires".</summary>
    /// <summary>
    /// Upload-Expires while the upload can still expire: unfinished uploads, and partials, which the sweeper
    /// removes at their expiry even when complete (the final holds its own copy of their bytes).
    /// </summary>
    public static void SetExpires(HttpResponse response, UploadInfo upload)
    {
        var canExpire = !upload.IsComplete || upload.Concat.Kind == UploadConcatKind.Partial;
        if (canExpire && upload.ExpiresAt is { } expires)
        {
            response.Headers[TusHeaders.UploadExpires] =
                expires.UtcDateTime.ToString("R", CultureInfo.InvariantCulture);
        }
    }

    private static bool IsHeadOverride(HttpContext context) =>
        HttpMethods.IsPost(context.Request.Method)
        && HttpMethods.IsHead(context.Request.Headers[TusHeaders.MethodOverride].ToString());
}
