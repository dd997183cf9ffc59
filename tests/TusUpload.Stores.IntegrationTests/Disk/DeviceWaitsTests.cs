using TusUpload.Store.Disk;

namespace TusUpload.Stores.IntegrationTests.Disk;

/// <summary>Device waits run on the store's own threads, not the thread pool, and report what they threw.</summary>
[Collection(DeviceThreadsCollection.Name)]
public sealed class DeviceWaitsTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Work_runs_on_a_device_thread()
    {
        string? name = null;
        var pooled = true;

        await DeviceWaits.RunAsync(() =>
        {
            name = Thread.CurrentThread.Name;
            pooled = Thread.CurrentThread.IsThreadPoolThread;
        }).WaitAsync(s_timeout);

        Assert.Equal("Device wait", name);
        Assert.False(pooled);
    }

    [Fact]
    public async Task A_failure_reaches_the_caller_as_thrown()
    {
        var thrown = new IOException("device said no (test)");

        var caught = await Assert.ThrowsAsync<IOException>(
            () => DeviceWaits.RunAsync(() => throw thrown).WaitAsync(s_timeout));

        Assert.Same(thrown, caught);
    }

    [Fact]
    public async Task Waits_beyond_the_thread_count_queue_and_all_finish()
    {
        using var release = new ManualResetEventSlim();
        var running = 0;
        var most = 0;
        var waits = Enumerable.Range(0, DeviceWaits.Threads * 2).Select(_ => DeviceWaits.RunAsync(() =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            release.Wait(s_timeout);
            Interlocked.Decrement(ref running);
        })).ToList();

        // Other tests in this process share the threads; theirs are short, so all sixteen soon run ours.
        var allBusy = await EventuallyAsync(() => Volatile.Read(ref running) == DeviceWaits.Threads);
        var blockedAtOnce = Volatile.Read(ref running);
        release.Set();
        await Task.WhenAll(waits).WaitAsync(s_timeout);

        Assert.True(allBusy, $"only {blockedAtOnce} of {DeviceWaits.Threads} device threads ran the waits at once");
        Assert.Equal(DeviceWaits.Threads, most);
    }

    private static async Task<bool> EventuallyAsync(Func<bool> done)
    {
        var deadline = DateTime.UtcNow + s_timeout;
        while (!done() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        return done();
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var previous = Interlocked.CompareExchange(ref target, value, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
