using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Parsing;

/// <summary>
/// <c>Upload-Concat</c> on creation: <c>partial</c>, or "final; followed by a list of partial upload URLs
/// separated by a space", each absolute or relative. A URL must point at this server's tus collection
/// (the collection URL, e.g. <c>https://host/files/</c>); a foreign host or path is refused.
/// </summary>
public static class UploadConcatHeader
{
    private const string FinalPrefix = "final;";

    public static bool TryParse(
        string? header,
        Uri collection,
        int maxParts,
        out UploadConcat concat,
        out string? error)
    {
        concat = UploadConcat.None;
        error = null;

        if (header is null)
        {
            return true;
        }

        if (header == "partial")
        {
            concat = UploadConcat.Partial;
            return true;
        }

        if (!header.StartsWith(FinalPrefix, StringComparison.Ordinal))
        {
            error = "Upload-Concat must be 'partial' or 'final;<url> <url> ...'.";
            return false;
        }

        var urls = header[FinalPrefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (urls.Length == 0)
        {
            error = "Upload-Concat 'final' lists no partial uploads.";
            return false;
        }

        if (urls.Length > maxParts)
        {
            error = $"Upload-Concat lists more than {maxParts} partial uploads.";
            return false;
        }

        var ids = new List<string>(urls.Length);
        foreach (var url in urls)
        {
            if (!TryGetId(url, collection, out var id, out error))
            {
                return false;
            }

            ids.Add(id);
        }

        concat = UploadConcat.Final(ids);
        return true;
    }

    private static bool TryGetId(string url, Uri collection, out string id, out string? error)
    {
        id = string.Empty;
        error = null;

        if (!Uri.TryCreate(collection, url, out var resolved)
            || (resolved.Scheme != Uri.UriSchemeHttp && resolved.Scheme != Uri.UriSchemeHttps))
        {
            error = "Upload-Concat contains a URL that is not an http(s) URL.";
            return false;
        }

        // The scheme may differ behind a TLS-terminating proxy; host and port must be ours.
        if (!string.Equals(resolved.Host, collection.Host, StringComparison.OrdinalIgnoreCase)
            || resolved.Port != collection.Port)
        {
            error = "Upload-Concat refers to an upload on another host.";
            return false;
        }

        var path = resolved.AbsolutePath;
        if (!path.StartsWith(collection.AbsolutePath, StringComparison.Ordinal)
            || !string.IsNullOrEmpty(resolved.Query)
            || !string.IsNullOrEmpty(resolved.Fragment))
        {
            error = "Upload-Concat refers to a URL outside this server's uploads.";
            return false;
        }

        id = path[collection.AbsolutePath.Length..];
        if (!UploadIds.IsValid(id))
        {
            error = "Upload-Concat refers to an unknown upload.";
            return false;
        }

        return true;
    }
}
