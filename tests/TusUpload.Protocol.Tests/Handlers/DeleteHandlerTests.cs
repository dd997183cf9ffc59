using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TusUpload.Protocol.Handlers;
using TusUpload.Protocol.Lifecycle;
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
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IUploadStore>(store)
            .AddSingleton<IUploadLifecycle>(lifecycle)
            .AddTusProtocol(new ConfigurationBuilder().Build())
            .BuildServiceProvider();
        var context = new DefaultHttpContext { RequestAborted = client.Token };

        await services.GetRequiredService<DeleteHandler>().HandleAsync(context, upload.Id).WaitAsync(s_wait);

        Assert.True(client.IsCancellationRequested);
        Assert.True(store.Deleted);
        Assert.Equal([upload.Id], lifecycle.Terminated);
        Assert.Equal(StatusCodes.Status204NoContent, context.Response.StatusCode);
    }
}
