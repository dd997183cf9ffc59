namespace TusUpload.Store.Disk;

/// <summary>
/// Runs the store's calls that wait for the device (fdatasync, fsync, creating a file and syncing it) on threads of
/// its own, so that they never hold a thread-pool thread. A pool thread blocked in fdatasync keeps the work queued
/// locally behind it from running and makes the pool add threads; here the waits queue for one of a fixed set of
/// threads instead, and the requests' own work keeps the pool. One set per process, like the pool itself.
/// Known shortcoming: a queued wait cannot be cancelled, so a caller's timeout does not bound its time in the queue.
/// </summary>
internal static class DeviceWaits
{
    /// <summary>Device waits in flight at most; more queue. Enough to keep a virtual disk's queue busy.</summary>
    public const int Threads = 16;

    // A plain monitor queue: BlockingCollection's semaphore spins (sched_yield) before it sleeps, and sixteen
    // threads spinning on every wake-up took CPU from the requests.
    private static readonly Queue<Action> Work = StartThreads();

    /// <summary>Runs <paramref name="work"/> on a device thread; the continuation runs on the thread pool.</summary>
    public static Task RunAsync(Action work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(() =>
        {
            try
            {
                work();
                done.SetResult();
            }
            catch (Exception exception)
            {
                done.SetException(exception);
            }
        });
        return done.Task;
    }

    private static void Enqueue(Action work)
    {
        lock (Work)
        {
            Work.Enqueue(work);
            Monitor.Pulse(Work);
        }
    }

    private static Queue<Action> StartThreads()
    {
        var queue = new Queue<Action>();
        for (var i = 0; i < Threads; i++)
        {
            // Background threads: the process never waits for them, and nothing is queued here that a stopping
            // host still awaits once its requests ended.
            var thread = new Thread(() => Drain(queue)) { IsBackground = true, Name = "Device wait" };
            thread.Start();
        }

        return queue;
    }

    private static void Drain(Queue<Action> queue)
    {
        while (true)
        {
            Action work;
            lock (queue)
            {
                while (queue.Count == 0)
                {
                    Monitor.Wait(queue);
                }

                work = queue.Dequeue();
            }

            work();
        }
    }
}
