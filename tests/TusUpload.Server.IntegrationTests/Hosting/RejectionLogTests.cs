using System.Net;
using TusUpload.Server.IntegrationTests.Harness;

namespace TusUpload.Server.IntegrationTests.Hosting;

/// <summary>
/// A refusal's log line (event 1000) carries <c>{UploadId}</c> when the request names an upload, so that an operator
/// who filters the JSON logs by an upload's id sees its refusals too; a request about no upload logs it as null.
/// </summary>
[Collection(DiskCollection.Name)]
public sealed class RejectionLogTests(DiskServers servers)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_refusal_on_an_upload_logs_its_id_and_one_about_no_upload_logs_none()
    {
        await using var server = await servers.StartServerAsync(new Dictionary<string, string>
        {
            ["Logging:Format"] = "json",
            ["Logging:LogLevel:TusUpload.Protocol"] = "Debug",
        });
        using var client = new TusClient(server);
        var upload = await client.CreateAsync(10);

        using var conflict = await client.PatchAsync(upload, 3, [1]);
        using var malformed = await client.PostAsync(null, headers: new Dictionary<string, string>
        {
            ["Upload-Length"] = "-1",
        });

        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        var id = TusClient.IdOf(upload);
        Assert.Equal(1, await server.WaitForLogLinesAsync(1, s_timeout, "\"Id\":1000", "\"StatusCode\":409",
            $"\"UploadId\":\"{id}\""));
        Assert.Equal(1, await server.WaitForLogLinesAsync(1, s_timeout, "\"Id\":1000", "\"StatusCode\":400",
            "\"UploadId\":null"));
    }
}
