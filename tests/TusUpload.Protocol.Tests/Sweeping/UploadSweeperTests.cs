using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using TusUpload.Protocol.Storage;
using TusUpload.Protocol.Sweeping;
using TusUpload.Protocol.Tests.Handlers;

namespace TusUpload.Protocol.Tests.Sweeping;

public sealed class UploadSweeperTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_sweep_stopped_right_after_the_data_went_still_records_the_expiry()
    {
        var upload = ExpiredUpload("0123456789abcdef0123456789abcdef");
        using var stopping = new CancellationTokenSource();
        var store = new SingleUploadStore(upload, cancelOnRemoving: stopping);
        var lifecycle = new RecordingLifecycle();
        await using var services = ProtocolServices.Build(store, lifecycle);

        var (expired, _) = await services.GetRequiredService<UploadSweeper>()
            .SweepOnceAsync(stopping.Token)
            .WaitAsync(s_wait);

        Assert.True(stopping.IsCancellationRequested);
        Assert.True(store.Deleted);
        Assert.Equal(1, expired);
        Assert.Equal([upload.Id], lifecycle.Expired);
    }

    [Fact]
    public async Task A_sweep_whose_delete_fails_after_the_upload_went_still_records_the_expiry()
    {
        var upload = ExpiredUpload("00112233445566778899aabbccddeeff");
        var store = new SingleUploadStore(upload, failAfterRemoving: true);
        var lifecycle = new RecordingLifecycle();
        await using var services = ProtocolServices.Build(store, lifecycle);

        var (expired, _) = await services.GetRequiredService<UploadSweeper>()
            .SweepOnceAsync(CancellationToken.None)
            .WaitAsync(s_wait);

        Assert.True(store.Deleted);
        Assert.Equal(1, expired);
        Assert.Equal([upload.Id], lifecycle.Expired);
    }

    [Fact]
    public async Task A_sweep_whose_delete_never_returns_gives_up_after_the_commit_timeout_and_keeps_the_upload()
    {
        var upload = ExpiredUpload("ffeeddccbbaa99887766554433221100");
        var store = new SingleUploadStore(upload, deleteHangs: true);
        var lifecycle = new RecordingLifecycle();
        await using var services =
            ProtocolServices.Build(store, lifecycle, TusOptionsValidator.ShortestCommitTimeout);

        // The removal's own bound ends the wait; the sweep logs it and goes on, the next sweep tries again. The
        // expiry was recorded before the delete began, and stays true.
        var (expired, _) = await services.GetRequiredService<UploadSweeper>()
            .SweepOnceAsync(CancellationToken.None)
            .WaitAsync(s_wait);

        Assert.False(store.Deleted);
        Assert.Equal(0, expired);
        Assert.Equal([upload.Id], lifecycle.Expired);
    }

    [Fact]
    public async Task An_expiry_is_recorded_before_the_data_goes_so_no_read_in_between_finds_neither()
    {
        var upload = ExpiredUpload("a1b2c3d4e5f60718293a4b5c6d7e8f90");
        var lifecycle = new RecordingLifecycle();
        var recordedWhenDeleting = false;
        var store = new SingleUploadStore(
            upload,
            beforeRemoving: () => recordedWhenDeleting = lifecycle.Expired.Count == 1);
        await using var services = ProtocolServices.Build(store, lifecycle);

        await services.GetRequiredService<UploadSweeper>().SweepOnceAsync(CancellationToken.None).WaitAsync(s_wait);

        Assert.True(store.Deleted);
        Assert.True(recordedWhenDeleting, "the expiry was not recorded before the store deleted the upload");
        Assert.Equal([upload.Id], lifecycle.Expired);
    }

    [Fact]
    public async Task The_sweeper_touches_no_upload_before_the_server_serves()
    {
        var upload = ExpiredUpload("0f1e2d3c4b5a69788796a5b4c3d2e1f0");
        var store = new SingleUploadStore(upload);
        var lifecycle = new RecordingLifecycle();
        await using var services = ProtocolServices.Build(store, lifecycle);
        var sweeper = services.GetRequiredService<UploadSweeper>();
        var lifetime = (ApplicationLifetime)services.GetRequiredService<IHostApplicationLifetime>();

        // A server whose address is taken starts its background services and then gives up: it must not have
        // removed anything of the server that holds the address and the same data.
        await sweeper.StartAsync(CancellationToken.None).WaitAsync(s_wait);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var removedBeforeServing = store.Deleted;
        lifetime.NotifyStarted();
        await WaitUntilAsync(() => store.Deleted && lifecycle.Expired.Count == 1);
        await sweeper.StopAsync(CancellationToken.None).WaitAsync(s_wait);

        Assert.False(removedBeforeServing);
        Assert.Equal([upload.Id], lifecycle.Expired);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(s_wait);
        while (!condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), timeout.Token);
        }
    }

    private static UploadInfo ExpiredUpload(string id) =>
        new() { Id = id, Length = 10, Offset = 4, ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1) };
}
