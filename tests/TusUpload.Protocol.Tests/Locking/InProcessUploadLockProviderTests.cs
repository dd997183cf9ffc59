using TusUpload.Protocol.Locking;

namespace TusUpload.Protocol.Tests.Locking;

public sealed class InProcessUploadLockProviderTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);
    private readonly InProcessUploadLockProvider _provider = new();

    [Fact]
    public async Task Free_lock_is_granted_at_once_without_a_release_request()
    {
        await using var held = await _provider.AcquireAsync("a", TimeSpan.Zero, CancellationToken.None)
            .WaitAsync(s_wait);

        Assert.NotNull(held);
        Assert.False(held.ReleaseRequested.IsCancellationRequested);
    }

    [Fact]
    public async Task P8_newcomer_asks_the_holder_to_release_and_takes_over_when_it_does()
    {
        var holder = await _provider.AcquireAsync("a", TimeSpan.Zero, CancellationToken.None).WaitAsync(s_wait);
        var released = new TaskCompletionSource();
        holder!.ReleaseRequested.Register(() => _ = Task.Run(async () =>
        {
            await holder.DisposeAsync();
            released.SetResult();
        }));

        await using var newcomer = await _provider.AcquireAsync("a", s_wait, CancellationToken.None).WaitAsync(s_wait);

        Assert.NotNull(newcomer);
        Assert.True(released.Task.IsCompleted);
    }

    [Fact]
    public async Task P8_newcomer_gets_nothing_when_the_holder_does_not_release_in_time()
    {
        await using var holder = await _provider.AcquireAsync("a", TimeSpan.Zero, CancellationToken.None);

        var newcomer = await _provider.AcquireAsync("a", TimeSpan.FromMilliseconds(200), CancellationToken.None)
            .WaitAsync(s_wait);

        Assert.Null(newcomer);
        Assert.True(holder!.ReleaseRequested.IsCancellationRequested);
    }

    [Fact]
    public async Task Zero_timeout_on_a_held_lock_fails_without_disturbing_the_holder()
    {
        await using var holder = await _provider.AcquireAsync("a", TimeSpan.Zero, CancellationToken.None);

        var sweeper = await _provider.AcquireAsync("a", TimeSpan.Zero, CancellationToken.None).WaitAsync(s_wait);

        Assert.Null(sweeper);
        Assert.False(holder!.ReleaseRequested.IsCancellationRequested);
    }

    [Fact]
    public async Task Locks_of_different_uploads_are_independent()
    {
        await using var a = await _provider.AcquireAsync("a", TimeSpan.Zero, CancellationToken.None);
        await using var b = await _provider.AcquireAsync("b", TimeSpan.Zero, CancellationToken.None);

        Assert.NotNull(a);
        Assert.NotNull(b);
        Assert.False(a.ReleaseRequested.IsCancellationRequested);
    }

    [Fact]
    public async Task Many_contending_writers_never_hold_the_lock_together()
    {
        var inside = 0;
        var maxInside = 0;

        async Task WriterAsync()
        {
            for (var i = 0; i < 20; i++)
            {
                await using var held = await _provider.AcquireAsync("a", s_wait, CancellationToken.None);
                Assert.NotNull(held);
                var now = Interlocked.Increment(ref inside);
                InterlockedMax(ref maxInside, now);
                await Task.Delay(1);
                Interlocked.Decrement(ref inside);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(WriterAsync))).WaitAsync(s_wait * 3);

        Assert.Equal(1, maxInside);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value
               && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
