using System.Text;

namespace TusUpload.Server.IntegrationTests.HostileInput;

/// <summary>The table of hostile requests thrown at every endpoint.</summary>
public static class HostileRequests
{
    private const string Tus = "Tus-Resumable: 1.0.0\r\n";
    private const string Octets = "Content-Type: application/offset+octet-stream\r\n";

    public static IReadOnlyList<HostileRequest> All { get; } =
    [
        // Numbers (G4)
        Post("length overflowing 64 bits", "Upload-Length: 99999999999999999999\r\n", 400),
        Post("length of exactly 2^63", "Upload-Length: 9223372036854775808\r\n", 400),
        Post("negative length", "Upload-Length: -5\r\n", 400),
        Post("length with plus sign", "Upload-Length: +5\r\n", 400),
        Post("fractional length", "Upload-Length: 1.5\r\n", 400),
        Post("hex length", "Upload-Length: 0x10\r\n", 400),
        Post("length header twice", "Upload-Length: 5\r\nUpload-Length: 6\r\n", 400),
        Post("length and defer together", "Upload-Length: 5\r\nUpload-Defer-Length: 1\r\n", 400),
        Post("defer length of 2", "Upload-Defer-Length: 2\r\n", 400),
        Post("length above the maximum", "Upload-Length: 67108865\r\n", 413),
        Patch("negative offset", "Upload-Offset: -1\r\n", [1], 400),
        Patch("offset overflowing 64 bits", "Upload-Offset: 18446744073709551616\r\n", [1], 400),
        Patch("fractional offset", "Upload-Offset: 5.0\r\n", [1], 400),
        Patch("empty offset", "Upload-Offset: \r\n", [1], 400),
        Patch("missing offset", string.Empty, [1], 400),
        Patch("offset header twice", "Upload-Offset: 5\r\nUpload-Offset: 5\r\n", [1], 400),
        Patch("offset behind", "Upload-Offset: 4\r\n", [1], 409),
        Patch("offset ahead", "Upload-Offset: 6\r\n", [1], 409),
        Patch("changed length", "Upload-Offset: 5\r\nUpload-Length: 21\r\n", [1], 400),

        // Metadata (C4, C5)
        Post("broken base64 metadata", "Upload-Length: 5\r\nUpload-Metadata: name aGk\r\n", 400),
        Post("duplicate metadata keys", "Upload-Length: 5\r\nUpload-Metadata: name aGk=,name aGk=\r\n", 400),
        Post("metadata key with space", "Upload-Length: 5\r\nUpload-Metadata: file name aGk=\r\n", 400),
        Post("metadata empty key", "Upload-Length: 5\r\nUpload-Metadata: aGk=,, aGk=\r\n", 400),
        Post("metadata longer than allowed",
            "Upload-Length: 5\r\nUpload-Metadata: name " + new string('A', 5000) + "\r\n", 400),
        Post("metadata value with raw non-ASCII", "Upload-Length: 5\r\nUpload-Metadata: name h\u00e9\u00ff\r\n", 400,
            byTus: false),
        Post("metadata key with raw non-ASCII", "Upload-Length: 5\r\nUpload-Metadata: n\u00e4me aGk=\r\n", 400,
            byTus: false),
        Post("metadata value with bare CR", "Upload-Length: 5\r\nUpload-Metadata: name aGk=\rSet-Cookie: a=b\r\n",
            400, byTus: false),
        Post("metadata value with NUL", "Upload-Length: 5\r\nUpload-Metadata: name aGk=\0\r\n", 400, byTus: false),

        // Concatenation (X4)
        Post("final with traversal URL", "Upload-Concat: final;/files/../../etc/passwd\r\n", 400),
        Post("final with foreign host", "Upload-Concat: final;http://169.254.169.254/files/{ID}\r\n", 400),
        Post("final with garbage", "Upload-Concat: final;%%%\r\n", 400),
        Post("concat neither partial nor final", "Upload-Length: 5\r\nUpload-Concat: partially\r\n", 400),
        Post("final listing a non-partial upload", "Upload-Concat: final;{U}\r\n", 400),
        Post("final with a length", "Upload-Length: 5\r\nUpload-Concat: final;{U}\r\n", 400),

        // Content types and sizes (P1, P5, W1)
        Patch("patch with text/plain", "Upload-Offset: 5\r\n", [1], 415, contentType: "text/plain"),
        Patch("patch without content type", "Upload-Offset: 5\r\n", [1], 415, contentType: null),
        Patch("patch body past the length", "Upload-Offset: 5\r\n", new byte[16], 413),
        Post("post body with wrong type", "Upload-Length: 5\r\nContent-Type: text/plain\r\n", 415, [1, 2]),
        Post("post body past its length", "Upload-Length: 2\r\n" + Octets, 413, [1, 2, 3]),

        // Checksums (K4)
        Patch("unknown checksum algorithm", "Upload-Offset: 5\r\nUpload-Checksum: crc32 AAAAAA==\r\n", [1], 400),
        Patch("checksum not base64", "Upload-Offset: 5\r\nUpload-Checksum: sha1 ???\r\n", [1], 400),
        Patch("checksum wrong", "Upload-Offset: 5\r\nUpload-Checksum: md5 1B2M2Y8AsgTpgAmY7PhCfg==\r\n", [1], 460),

        // Versions and methods (G2, G3)
        new("delete with old version", "DELETE", "{U}", "Tus-Resumable: 0.2.2\r\n", null, 412),
        new("patch without version", "PATCH", "{U}", "Upload-Offset: 5\r\n" + Octets, [1], 412),
        new("override to PUT", "POST", "{U}", Tus + "X-HTTP-Method-Override: PUT\r\n", null, 400),
        new("PUT on an upload", "PUT", "{U}", Tus, [1], 405),
        new("POST on an upload", "POST", "{U}", Tus + "Upload-Length: 5\r\n", null, 405),
        new("GET on the collection", "GET", "/files/", string.Empty, null, 405),

        // Ids and paths (G5)
        .. Traversals(),
    ];

    private static IEnumerable<HostileRequest> Traversals()
    {
        string[] targets =
        [
            "/files/..%2F..%2Fetc%2Fpasswd",
            "/files/..%2f{ID}",
            "/files/{ID}%2F..%2F..%2Fdata",
            "/files/{ID}.info.json",
            "/files/{ID}.data",
            "/files/{ID}/extra",
            "/files/blobs",
            "/files/%7B{ID}%7D",
            "/files/" + new string('a', 31) + "G",
        ];

        foreach (var target in targets)
        {
            yield return new($"HEAD {target}", "HEAD", target, Tus, null, 404);
            yield return new($"PATCH {target}", "PATCH", target, Tus + "Upload-Offset: 0\r\n" + Octets, [1], 404);
            yield return new($"DELETE {target}", "DELETE", target, Tus, null, 404);
            yield return new($"GET {target}", "GET", target, string.Empty, null, 404);
        }

        // Kestrel refuses an encoded NUL in the path itself, before any routing.
        yield return new("PATCH with encoded NUL", "PATCH", "/files/{ID}%00", Tus + "Upload-Offset: 5\r\n" + Octets,
            [1], 400, ByTus: false);

        // Dot segments are resolved by the HTTP server before routing: the request lands outside the endpoint.
        yield return new("PATCH with dot segments", "PATCH", "/files/../{ID}", Tus + "Upload-Offset: 5\r\n" + Octets,
            [1], 404, ByTus: false);
        yield return new("DELETE with encoded dots", "DELETE", "/files/%2e%2e/%2e%2e/etc/passwd", Tus, null, 404,
            ByTus: false);
    }

    private static HostileRequest Post(
        string name,
        string headers,
        int status,
        byte[]? body = null,
        bool byTus = true) =>
        new(name, "POST", "/files/", Tus + headers, body, status, byTus);

    private static HostileRequest Patch(
        string name,
        string headers,
        byte[] body,
        int status,
        string? contentType = "application/offset+octet-stream") =>
        new(name, "PATCH", "{U}", Tus + headers + ContentTypeLine(contentType), body, status);

    private static string ContentTypeLine(string? contentType) =>
        contentType is null ? string.Empty : $"Content-Type: {contentType}\r\n";

    public static byte[] Render(HostileRequest request, string uploadPath, string uploadId, string host)
    {
        string Fill(string text) => text.Replace("{U}", uploadPath, StringComparison.Ordinal)
            .Replace("{ID}", uploadId, StringComparison.Ordinal);

        var head = new StringBuilder()
            .Append(request.Method).Append(' ').Append(Fill(request.Target)).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(host).Append("\r\n")
            .Append("Connection: close\r\n")
            .Append(Fill(request.Headers));
        if (request.Body is { } body)
        {
            head.Append("Content-Length: ").Append(body.Length).Append("\r\n");
        }

        head.Append("\r\n");
        return [.. Encoding.Latin1.GetBytes(head.ToString()), .. request.Body ?? []];
    }
}
