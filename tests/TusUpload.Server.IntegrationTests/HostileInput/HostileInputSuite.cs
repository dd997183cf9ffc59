using System.Net;
using TusUpload.Server.IntegrationTests.Harness;

namespace TusUpload.Server.IntegrationTests.HostileInput;

/// <summary>
/// Throws every hostile request of the table at the real server and proves: the exact 4xx, a one-line plain-text
/// reason with Tus-Resumable (when the tus endpoint answered), no injected header, and nothing changed in storage
/// or in a reference upload's offset.
/// </summary>
public abstract class HostileInputSuite(TusServers servers) : IDisposable
{
    private readonly TusClient _client = new(servers.Main);

    public static TheoryData<string> Names => [.. HostileRequests.All.Select(request => request.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Hostile_request_gets_its_exact_4xx_with_a_reason_and_changes_nothing(string name)
    {
        var hostile = HostileRequests.All.Single(request => request.Name == name);
        var reference = await _client.CreateAsync(20);
        using (var first = await _client.PatchAsync(reference, 0, [1, 2, 3, 4, 5]))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        }

        var before = await servers.SnapshotStorageAsync(servers.Main);
        var bytes = HostileRequests.Render(hostile, reference.AbsolutePath, TusClient.IdOf(reference),
            servers.Main.Files.Authority);

        await using var raw = await RawHttp.ConnectAsync(servers.Main.BaseAddress);
        await raw.SendAsync(bytes);
        var response = await raw.ReadResponseAsync();

        Assert.NotNull(response);
        Assert.Equal(hostile.Status, response.StatusCode);
        AssertNoInjectedHeader(response);
        if (hostile.ByTus)
        {
            Assert.Equal("1.0.0", response.Header("Tus-Resumable"));
            if (hostile.Method != "HEAD")
            {
                Assert.StartsWith("text/plain", response.Header("Content-Type"), StringComparison.Ordinal);
                Assert.Matches(@"^[^\r\n]+\n$", response.Body);
            }
        }

        Assert.Equal(5, await _client.OffsetAsync(reference));
        Assert.Equal(before, await servers.SnapshotStorageAsync(servers.Main));
    }

    public void Dispose()
    {
        _client.Dispose();
        GC.SuppressFinalize(this);
    }

    private static void AssertNoInjectedHeader(RawResponse response)
    {
        foreach (var name in (string[])["Set-Cookie", "X-Injected"])
        {
            Assert.DoesNotContain(
                response.Headers,
                header => header.Key.Equals(name, StringComparison.OrdinalIgnoreCase));
        }

        Assert.All(response.Headers, header => Assert.DoesNotContain('\r', header.Value));
    }
}
