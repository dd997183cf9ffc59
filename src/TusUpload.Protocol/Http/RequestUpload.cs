using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TusUpload.Protocol.Parsing;

namespace TusUpload.Protocol.Http;

/// <summary>
/// The upload a request is about, for log lines that otherwise know only the method and path: the one its URL
/// names, or the one a creation is making (its id is assigned before the store or the ledger may fail).
/// </summary>
public static class RequestUpload
{
    private static readonly object s_assignedKey = new();

    public static void Assigned(HttpContext context, string uploadId) => context.Items[s_assignedKey] = uploadId;

    /// <summary>The upload's id; null when the request names none (or an invalid one) and has made none.</summary>
    public static string? IdOf(HttpContext context)
    {
        if (context.GetRouteValue(TusEndpoint.IdRouteValue) is string named && UploadIds.IsValid(named))
        {
            return named;
        }

        return context.Items.TryGetValue(s_assignedKey, out var assigned) ? assigned as string : null;
    }
}
