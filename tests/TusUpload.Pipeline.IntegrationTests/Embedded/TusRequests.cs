using System.Globalization;
using System.Net.Http.Headers;

namespace TusUpload.Pipeline.IntegrationTests.Embedded;

/// <summary>Plain tus requests to an embedded server, each bounded by <see cref="Wait"/>.</summary>
internal static class TusRequests
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>A creation POST; no <paramref name="length"/> for a final upload, which takes its partials'.</summary>
    public static async Task<HttpResponseMessage> CreateAsync(
        HttpClient client,
        long? length,
        params (string Name, string Value)[] headers)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, new Uri("files/", UriKind.Relative));
        create.Headers.Add("Tus-Resumable", "1.0.0");
        if (length is { } declared)
        {
            create.Headers.Add("Upload-Length", declared.ToString(CultureInfo.InvariantCulture));
        }

        foreach (var (name, value) in headers)
        {
            create.Headers.Add(name, value);
        }

        return await client.SendAsync(create).WaitAsync(Wait);
    }

    /// <summary>A creation POST that carries the whole <paramref name="body"/> (creation-with-upload).</summary>
    public static async Task<HttpResponseMessage> CreateWithUploadAsync(HttpClient client, byte[] body)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, new Uri("files/", UriKind.Relative))
        {
            Content = new ByteArrayContent(body),
        };
        create.Headers.Add("Tus-Resumable", "1.0.0");
        create.Headers.Add("Upload-Length", body.Length.ToString(CultureInfo.InvariantCulture));
        create.Content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
        return await client.SendAsync(create).WaitAsync(Wait);
    }

    public static async Task<HttpResponseMessage> PatchAsync(HttpClient client, Uri upload, long offset, byte[] body)
    {
        using var patch = new HttpRequestMessage(HttpMethod.Patch, upload) { Content = new ByteArrayContent(body) };
        patch.Headers.Add("Tus-Resumable", "1.0.0");
        patch.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
        patch.Content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
        return await client.SendAsync(patch).WaitAsync(Wait);
    }

    public static async Task<HttpResponseMessage> HeadAsync(HttpClient client, Uri upload)
    {
        using var head = new HttpRequestMessage(HttpMethod.Head, upload);
        head.Headers.Add("Tus-Resumable", "1.0.0");
        return await client.SendAsync(head).WaitAsync(Wait);
    }

    public static async Task<HttpResponseMessage> DeleteAsync(HttpClient client, Uri upload)
    {
        using var delete = new HttpRequestMessage(HttpMethod.Delete, upload);
        delete.Headers.Add("Tus-Resumable", "1.0.0");
        return await client.SendAsync(delete).WaitAsync(Wait);
    }

    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;
}
