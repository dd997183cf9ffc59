using Microsoft.Extensions.DependencyInjection;
using TusUpload.Protocol.Completion;
using TusUpload.Protocol.Storage;
using TusUpload.Protocol.Tests.Handlers;

namespace TusUpload.Protocol.Tests.Completion;

public sealed class UploadCompletionTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_receiving_record_that_outruns_the_commit_timeout_is_given_up_and_the_commit_still_stands()
    {
        var before = new UploadInfo { Id = "a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5", Length = 10, Offset = 0 };
        var after = before with { Offset = 4 };
        var lifecycle = new StuckLifecycle();
        var store = new SingleUploadStore(after);
        await using var services =
            ProtocolServices.Build(store, lifecycle, TusOptionsValidator.ShortestCommitTimeout);

        // The bytes are durable and the notice is best effort, as when the ledger fails: the client is answered
        // with its new offset, not a 503 that sends it back to HEAD for bytes that were stored.
        var stored = await services.GetRequiredService<UploadCompletion>().AfterCommitAsync(before, after)
            .WaitAsync(s_wait);

        Assert.True(lifecycle.GaveUp);
        Assert.Equal(4, stored.Offset);
    }
}
