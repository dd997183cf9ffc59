using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TusUpload.Protocol.Handlers;
using TusUpload.Protocol.Http;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Tests.Handlers;

public sealed class DownloadHandlerTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("received")]
    [InlineData("processing")]
    public async Task A_complete_upload_still_in_processing_is_refused_with_409_and_retry_after(string state)
    {
        var refused = await DownloadRefusalAsync(state);

        Assert.Equal(StatusCodes.Status409Conflict, refused.StatusCode);
        Assert.Equal("The upload is still being processed.", refused.Message);
        Assert.Equal(5, refused.RetryAfterSeconds);
    }

    [Fact]
    public async Task A_failed_upload_is_refused_with_409_and_no_retry_after()
    {
        var refused = await DownloadRefusalAsync("failed");

        Assert.Equal(StatusCodes.Status409Conflict, refused.StatusCode);
        Assert.Equal("Processing of the upload failed; it will not be served.", refused.Message);
        Assert.Null(refused.RetryAfterSeconds);
    }

    [Theory]
    [InlineData("terminated", "The upload was terminated.")]
    [InlineData("expired", "Upload expired.")]
    public async Task An_upload_that_ended_while_the_store_still_has_its_data_is_gone(string state, string reason)
    {
        var refused = await DownloadRefusalAsync(state);

        Assert.Equal(StatusCodes.Status410Gone, refused.StatusCode);
        Assert.Equal(reason, refused.Message);
        Assert.Null(refused.RetryAfterSeconds);
    }

    [Fact]
    public async Task A_quarantined_upload_is_refused_with_403()
    {
        var refused = await DownloadRefusalAsync("quarantined");

        Assert.Equal(StatusCodes.Status403Forbidden, refused.StatusCode);
        Assert.Null(refused.RetryAfterSeconds);
    }

    /// <summary>GET of a complete upload the lifecycle reports in <paramref name="state"/>, not downloadable.</summary>
    private static async Task<TusRejection> DownloadRefusalAsync(string state)
    {
        var upload = new UploadInfo { Id = "00112233445566778899aabbccddeeff", Length = 5, Offset = 5 };
        var lifecycle = new RecordingLifecycle { LiveState = state };
        await using var services = ProtocolServices.Build(new SingleUploadStore(upload), lifecycle);

        return await Assert.ThrowsAsync<TusRejection>(
            () => services.GetRequiredService<DownloadHandler>()
                .HandleAsync(new DefaultHttpContext(), upload.Id)
                .WaitAsync(s_wait));
    }
}
