using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TusUpload.Protocol.Handlers;
using TusUpload.Protocol.Http;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Tests.Handlers;

public sealed class DeleteHandlerTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_client_that_hangs_up_after_the_data_went_still_gets_the_termination_recorded()
    {
        var upload = new UploadInfo { Id = "0123456789abcdef0123456789abcdef", Length = 10, Offset = 4 };
        var store = new SingleUploadStore(upload);
        using var client = new CancellationTokenSource();
        var lifecycle = new HangingUpLifecycle(client);
        await using var services = ProtocolServices.Build(store, lifecycle);
        var context = new DefaultHttpContext { RequestAborted = client.Token };

        await services.GetRequiredService<DeleteHandler>().HandleAsync(context, upload.Id).WaitAsync(s_wait);

        Assert.True(client.IsCancellationRequested);
        Assert.True(store.Deleted);
        Assert.Equal([upload.Id], lifecycle.Terminated);
        Assert.Equal(StatusCodes.Status204NoContent, context.Response.StatusCode);
    }

    [Fact]
    public async Task A_record_that_never_finishes_is_given_up_after_the_commit_timeout_and_answered_with_503()
    {
        var upload = new UploadInfo { Id = "fedcba9876543210fedcba9876543210", Length = 10, Offset = 4 };
        var store = new SingleUploadStore(upload);
        var lifecycle = new StuckLifecycle();
        await using var services =
            ProtocolServices.Build(store, lifecycle, TusOptionsValidator.ShortestCommitTimeout);
        var context = new DefaultHttpContext();

        // The client stays connected, so only the commit timeout can end the wait. The data is gone by then, but a
        // 204 would report an end that was never recorded; the 503 makes the client retry, and the retry records it.
        var refused = await Assert.ThrowsAsync<TusRejection>(
            () => services.GetRequiredService<DeleteHandler>().HandleAsync(context, upload.Id).WaitAsync(s_wait));

        Assert.True(store.Deleted);
        Assert.True(lifecycle.GaveUp);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, refused.StatusCode);
        Assert.Equal(
            "The upload's data is gone but its termination could not be recorded; retry the DELETE.",
            refused.Message);
    }

    [Fact]
    public async Task A_retried_delete_records_the_termination_that_the_first_could_not_and_answers_204()
    {
        var upload = new UploadInfo { Id = "a1b2c3d4e5f60718293a4b5c6d7e8f90", Length = 10, Offset = 10 };
        var store = new SingleUploadStore(upload);
        var lifecycle = new RecordingLifecycle { FailingRecords = 1, LiveState = "available" };
        await using var services = ProtocolServices.Build(store, lifecycle);
        var handler = services.GetRequiredService<DeleteHandler>();

        var first = await Assert.ThrowsAsync<TusRejection>(
            () => handler.HandleAsync(new DefaultHttpContext(), upload.Id).WaitAsync(s_wait));
        var afterFirst = lifecycle.Terminated.ToArray();
        var retry = new DefaultHttpContext();
        await handler.HandleAsync(retry, upload.Id).WaitAsync(s_wait);
        var again = await Assert.ThrowsAsync<TusRejection>(
            () => handler.HandleAsync(new DefaultHttpContext(), upload.Id).WaitAsync(s_wait));

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, first.StatusCode);
        Assert.True(store.Deleted);
        Assert.Empty(afterFirst);
        Assert.Equal(StatusCodes.Status204NoContent, retry.Response.StatusCode);
        Assert.Equal([upload.Id], lifecycle.Terminated);
        Assert.Equal(StatusCodes.Status404NotFound, again.StatusCode);
    }

    [Fact]
    public async Task An_expiry_that_cannot_be_recorded_removes_nothing_and_answers_503()
    {
        var upload = new UploadInfo
        {
            Id = "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
            Length = 10,
            Offset = 4,
            ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1),
        };
        var store = new SingleUploadStore(upload);
        var lifecycle = new RecordingLifecycle { FailingRecords = 1 };
        await using var services = ProtocolServices.Build(store, lifecycle);
        var handler = services.GetRequiredService<DeleteHandler>();

        var refused = await Assert.ThrowsAsync<TusRejection>(
            () => handler.HandleAsync(new DefaultHttpContext(), upload.Id).WaitAsync(s_wait));
        var keptAfterRefusal = !store.Deleted;
        var retry = new DefaultHttpContext();
        await handler.HandleAsync(retry, upload.Id).WaitAsync(s_wait);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, refused.StatusCode);
        Assert.True(keptAfterRefusal);
        Assert.Equal(StatusCodes.Status204NoContent, retry.Response.StatusCode);
        Assert.True(store.Deleted);
        Assert.Equal([upload.Id], lifecycle.Expired);
    }

    [Fact]
    public async Task A_delete_that_fails_after_the_upload_is_gone_records_the_termination_and_answers_204()
    {
        var upload = new UploadInfo { Id = "00112233445566778899aabbccddeeff", Length = 10, Offset = 10 };
        var store = new SingleUploadStore(upload, failAfterRemoving: true);
        var lifecycle = new RecordingLifecycle();
        await using var services = ProtocolServices.Build(store, lifecycle);
        var context = new DefaultHttpContext();

        await services.GetRequiredService<DeleteHandler>().HandleAsync(context, upload.Id).WaitAsync(s_wait);

        Assert.True(store.Deleted);
        Assert.Equal([upload.Id], lifecycle.Terminated);
        Assert.Equal(StatusCodes.Status204NoContent, context.Response.StatusCode);
    }

    [Fact]
    public async Task A_delete_whose_store_never_returns_answers_a_retryable_503_after_the_commit_timeout()
    {
        var upload = new UploadInfo { Id = "ffeeddccbbaa99887766554433221100", Length = 10, Offset = 0 };
        var store = new SingleUploadStore(upload, deleteHangs: true);
        var lifecycle = new RecordingLifecycle();
        await using var services =
            ProtocolServices.Build(store, lifecycle, TusOptionsValidator.ShortestCommitTimeout);
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Delete;
        context.Request.Headers["Tus-Resumable"] = "1.0.0";
        context.Request.RouteValues[TusEndpoint.IdRouteValue] = upload.Id;

        // The client stays connected, so the answer is the server's: a timeout of its own, worth a retry.
        await services.GetRequiredService<TusEndpoint>().HandleAsync(context).WaitAsync(s_wait);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        Assert.Equal("1", context.Response.Headers.RetryAfter.ToString());
    }

    [Fact]
    public async Task An_outage_answers_a_503_with_Retry_After_and_the_reason_the_store_gives_and_records_nothing()
    {
        var upload = new UploadInfo { Id = "0f1e2d3c4b5a69788796a5b4c3d2e1f0", Length = 10, Offset = 0 };
        const string Reason = "The upload lock is temporarily unavailable; retry.";
        var outage = new UploadStoreException(UploadStoreError.Unavailable, "PostgreSQL is down.")
        {
            ClientReason = Reason,
        };
        var store = new SingleUploadStore(upload, readFails: outage);
        var lifecycle = new RecordingLifecycle();
        await using var services = ProtocolServices.Build(store, lifecycle);
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Delete;
        context.Request.Headers["Tus-Resumable"] = "1.0.0";
        context.Request.RouteValues[TusEndpoint.IdRouteValue] = upload.Id;
        using var body = new MemoryStream();
        context.Response.Body = body;

        await services.GetRequiredService<TusEndpoint>().HandleAsync(context).WaitAsync(s_wait);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        Assert.Equal("1", context.Response.Headers.RetryAfter.ToString());
        Assert.Equal(Reason + "\n", System.Text.Encoding.UTF8.GetString(body.ToArray()));
        Assert.False(store.Deleted);
        Assert.Empty(lifecycle.Terminated);
    }

    [Fact]
    public async Task A_delete_whose_answer_never_comes_after_the_upload_went_records_the_termination_and_answers_204()
    {
        var upload = new UploadInfo { Id = "0f1e2d3c4b5a69780f1e2d3c4b5a6978", Length = 10, Offset = 4 };
        var store = new SingleUploadStore(upload, hangAfterRemoving: true);
        var lifecycle = new RecordingLifecycle();
        await using var services =
            ProtocolServices.Build(store, lifecycle, TusOptionsValidator.ShortestCommitTimeout);
        var context = new DefaultHttpContext();

        // A retry would find nothing to free (404) and could never record the termination, so this one must.
        await services.GetRequiredService<DeleteHandler>().HandleAsync(context, upload.Id).WaitAsync(s_wait);

        Assert.True(store.Deleted);
        Assert.Equal([upload.Id], lifecycle.Terminated);
        Assert.Equal(StatusCodes.Status204NoContent, context.Response.StatusCode);
    }
}
