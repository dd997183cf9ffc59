using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TusUpload.Protocol.Handlers;
using TusUpload.Protocol.Http;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Tests.Handlers;

/// <summary>
/// Two server instances on one store can take the same final creation at once (a client retrying against another
/// instance) when their upload locks do not exclude each other (in-process locks, or a distributed lock that
/// lapsed): the final's id is the same on both, and one of them finds the final gone on its read and present on
/// its create.
/// </summary>
public sealed class FinalCreationRaceTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_final_that_another_instance_created_meanwhile_is_filled_from_its_record_and_answered_201()
    {
        UploadInfo[] partials =
        [
            new() { Id = "00112233445566778899aabbccddeeff", Length = 3, Offset = 3, Concat = UploadConcat.Partial },
            new() { Id = "ffeeddccbbaa99887766554433221100", Length = 4, Offset = 4, Concat = UploadConcat.Partial },
        ];
        var otherInstanceCreatedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var store = new RacedFinalStore(partials, otherInstanceCreatedAt);
        var lifecycle = new RecordingLifecycle();
        await using var services = ProtocolServices.Build(store, lifecycle);
        var context = FinalCreation(partials);

        await services.GetRequiredService<CreationHandler>().HandleAsync(context).WaitAsync(s_wait);

        var location = context.Response.Headers.Location.ToString();
        var finalId = location[(location.LastIndexOf('/') + 1)..];
        var final = await store.GetAsync(finalId, CancellationToken.None);
        Assert.Equal(StatusCodes.Status201Created, context.Response.StatusCode);
        Assert.Equal(1, store.CreateAttempts);
        Assert.Equal(otherInstanceCreatedAt, Assert.Single(store.Concatenated).CreatedAt);
        Assert.NotNull(final);
        Assert.Equal(7, final.Length);
        Assert.True(final.IsComplete);
        Assert.True(final.CompletionRecorded);
        Assert.Equal([finalId], lifecycle.Completed);

        // The instance whose creation succeeded registered the final; this one must not register it again.
        Assert.Empty(lifecycle.Created);
    }

    private static DefaultHttpContext FinalCreation(IReadOnlyList<UploadInfo> partials)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Post;
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("127.0.0.1:1080");
        context.Request.Path = "/files/";
        context.Request.Headers[TusHeaders.UploadConcat] =
            "final;" + string.Join(' ', partials.Select(partial => "/files/" + partial.Id));
        return context;
    }
}
