using TusUpload.Pipeline.Ledger;
using static TusUpload.Pipeline.IntegrationTests.Ledger.LedgerTestData;

namespace TusUpload.Pipeline.IntegrationTests.Ledger;

/// <summary>
/// Group commit of the SQLite ledger, on a real file. To make a batch without timing, a termination holds the
/// committer inside its transaction (its blob-deletion callback waits for the test); the writes called meanwhile are
/// queued before their calls return, and all go into the next transaction once the test lets the first one go.
/// </summary>
public sealed class SqliteGroupCommitTests : IAsyncLifetime
{
    private readonly SqliteLedgerFactory _factory = new();

    private readonly WritesPerCommitRecorder _commits = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _commits.Dispose();
        await _factory.DisposeAsync();
    }

    [Fact]
    public async Task Writes_that_queue_behind_a_commit_share_the_next_one_and_each_gets_its_own_result()
    {
        IUploadLedger ledger = _factory.Create(meterFactory: _commits.MeterFactory);
        var received = await ReceivedUploadAsync(ledger);
        var held = await HoldTheCommitterAsync(ledger);
        _commits.Clear();

        var uploadIds = Enumerable.Range(0, 10).Select(_ => NewUploadId()).ToList();
        var creations = uploadIds.Select(id => ledger.RecordCreatedAsync(id, 4, CancellationToken.None)).ToList();
        var began = ledger.BeginProcessingAsync(received, CancellationToken.None);
        var unknown = ledger.BeginProcessingAsync(NewUploadId(), CancellationToken.None);
        held.Release.SetResult();

        await held.Termination.WaitAsync(Wait);
        await Task.WhenAll(creations).WaitAsync(Wait);
        Assert.True(await began.WaitAsync(Wait));
        Assert.False(await unknown.WaitAsync(Wait));
        Assert.Equal([1, 12], _commits.Sizes);
        foreach (var uploadId in uploadIds)
        {
            var trail = await ledger.GetAuditTrailAsync(uploadId, CancellationToken.None).WaitAsync(Wait);
            Assert.Equal([(null, UploadState.Created)], trail.Select(e => (e.From, e.To)).ToArray());
        }

        var processing = await ledger.GetAsync(received, CancellationToken.None).WaitAsync(Wait);
        Assert.Equal(UploadState.Processing, processing!.State);
    }

    [Fact]
    public async Task A_commit_takes_at_most_the_configured_number_of_writes()
    {
        IUploadLedger ledger = _factory.Create(meterFactory: _commits.MeterFactory, maxWritesPerCommit: 4);
        var held = await HoldTheCommitterAsync(ledger);
        _commits.Clear();

        var uploadIds = Enumerable.Range(0, 10).Select(_ => NewUploadId()).ToList();
        var creations = uploadIds.Select(id => ledger.RecordCreatedAsync(id, 1, CancellationToken.None)).ToList();
        held.Release.SetResult();

        await Task.WhenAll(creations.Append(held.Termination)).WaitAsync(Wait);
        Assert.Equal([1, 4, 4, 2], _commits.Sizes);
        foreach (var uploadId in uploadIds)
        {
            Assert.Equal(UploadState.Created, (await ledger.GetAsync(uploadId, CancellationToken.None))!.State);
        }
    }

    [Fact]
    public async Task A_write_that_throws_fails_alone_and_the_writes_around_it_in_its_commit_stay()
    {
        IUploadLedger ledger = _factory.Create(meterFactory: _commits.MeterFactory);
        var doomed = await AvailableUploadAsync(ledger, "doomed");
        var doomedUpload = await ledger.GetAsync(doomed, CancellationToken.None).WaitAsync(Wait);
        var doomedTrail = await ledger.GetAuditTrailAsync(doomed, CancellationToken.None).WaitAsync(Wait);
        var before = NewUploadId();
        var after = NewUploadId();
        var injected = new InvalidOperationException("injected failure inside the termination's transaction");
        var held = await HoldTheCommitterAsync(ledger);
        _commits.Clear();

        var createdBefore = ledger.RecordCreatedAsync(before, 3, CancellationToken.None);
        var termination = ledger.RecordTerminatedAsync(doomed, (_, _) => throw injected, CancellationToken.None);
        var createdAfter = ledger.RecordCreatedAsync(after, 3, CancellationToken.None);
        var receivedBefore = ledger.RecordReceivedAsync(before, 3, CancellationToken.None);
        held.Release.SetResult();

        await Task.WhenAll(held.Termination, createdBefore, createdAfter, receivedBefore).WaitAsync(Wait);
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => termination.WaitAsync(Wait));
        Assert.Same(injected, thrown);
        Assert.Equal([1, 4], _commits.Sizes);
        Assert.Equal(UploadState.Received, (await ledger.GetAsync(before, CancellationToken.None))!.State);
        Assert.Equal(UploadState.Created, (await ledger.GetAsync(after, CancellationToken.None))!.State);
        var beforeTrail = await ledger.GetAuditTrailAsync(before, CancellationToken.None).WaitAsync(Wait);
        Assert.Equal([UploadState.Created, UploadState.Received], beforeTrail.Select(e => e.To).ToArray());

        // The failed termination had already moved the upload, audited it and freed its blob's row: all undone.
        Assert.Equal(doomedUpload, await ledger.GetAsync(doomed, CancellationToken.None).WaitAsync(Wait));
        Assert.Equal(doomedTrail, await ledger.GetAuditTrailAsync(doomed, CancellationToken.None).WaitAsync(Wait));
        Assert.Equal(1, await ledger.GetBlobReferenceCountAsync(doomedUpload!.Sha256!, CancellationToken.None));
    }

    [Fact]
    public async Task A_write_cancelled_while_it_waits_is_dropped_and_leaves_no_trace()
    {
        IUploadLedger ledger = _factory.Create(meterFactory: _commits.MeterFactory);
        var dropped = NewUploadId();
        var kept = NewUploadId();
        using var cancellation = new CancellationTokenSource();
        var held = await HoldTheCommitterAsync(ledger);
        _commits.Clear();

        var droppedWrite = ledger.RecordCreatedAsync(dropped, 2, cancellation.Token);
        var keptWrite = ledger.RecordCreatedAsync(kept, 2, CancellationToken.None);
        await cancellation.CancelAsync();

        // Cancelled at once, while the committer is still held: nothing of it ran.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => droppedWrite.WaitAsync(Wait));
        Assert.False(keptWrite.IsCompleted);
        held.Release.SetResult();
        await Task.WhenAll(held.Termination, keptWrite).WaitAsync(Wait);
        Assert.Equal([1, 1], _commits.Sizes);
        Assert.Null(await ledger.GetAsync(dropped, CancellationToken.None).WaitAsync(Wait));
        Assert.Empty(await ledger.GetAuditTrailAsync(dropped, CancellationToken.None).WaitAsync(Wait));
        Assert.Equal(UploadState.Created, (await ledger.GetAsync(kept, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task A_write_whose_token_fires_after_it_ran_reports_the_commit_not_the_cancellation()
    {
        IUploadLedger ledger = _factory.Create(meterFactory: _commits.MeterFactory);
        using var cancellation = new CancellationTokenSource();
        var held = await HoldTheCommitterAsync(ledger, cancellation.Token);

        // The termination has run up to its callback inside the transaction; its caller gives up only now. The
        // write must neither stop half-way nor report a cancellation for a change that is committed with its batch.
        await cancellation.CancelAsync();
        held.Release.SetResult();

        var release = await held.Termination.WaitAsync(Wait);
        Assert.Equal(0, release!.ReferenceCount);
        Assert.Equal(UploadState.Terminated, (await ledger.GetAsync(held.UploadId, CancellationToken.None))!.State);
        Assert.Null(await ledger.GetBlobReferenceCountAsync(release.Sha256, CancellationToken.None));
    }

    [Fact]
    public async Task Many_concurrent_lifecycles_on_two_ledgers_end_in_the_right_states_with_complete_trails()
    {
        const int uploads = 120;
        const int contents = 30;
        IUploadLedger server = _factory.Create(meterFactory: _commits.MeterFactory);
        IUploadLedger worker = _factory.Create(meterFactory: _commits.MeterFactory);
        var verdicts = Enumerable.Range(0, contents).Select(i => Clean($"content {i} {NewUploadId()}")).ToArray();
        var uploadIds = Enumerable.Range(0, uploads).Select(_ => NewUploadId()).ToArray();

        // Every fourth upload is terminated by its client after it was processed; each lifecycle is one sequence of
        // awaited calls, and all of them run at once, the server's writes on one ledger, the worker's on the other.
        var outcomes = await Task.WhenAll(uploadIds.Select((uploadId, i) => Task.Run(async () =>
        {
            var verdict = verdicts[i % contents];
            await server.RecordCreatedAsync(uploadId, verdict.Length, CancellationToken.None);
            await server.RecordReceivingAsync(uploadId, CancellationToken.None);
            await server.RecordReceivedAsync(uploadId, verdict.Length, CancellationToken.None);
            Assert.True(await worker.BeginProcessingAsync(uploadId, CancellationToken.None));
            var outcome = await worker.CompleteProcessingAsync(uploadId, verdict, CancellationToken.None);
            if (i % 4 == 3)
            {
                await server.RecordTerminatedAsync(uploadId, CancellationToken.None);
            }

            return outcome;
        }))).WaitAsync(TimeSpan.FromMinutes(2));

        // Every write was committed exactly once, whatever the batches were.
        Assert.Equal(uploads * 5 + uploads / 4, _commits.Sizes.Sum());
        Assert.All(outcomes, outcome => Assert.True(outcome.Changed));
        Assert.All(outcomes, outcome => Assert.True(outcome.State is UploadState.Available or UploadState.Duplicate));
        for (var c = 0; c < contents; c++)
        {
            // A blob counts exactly the uploads that still point at it. (A termination may free a blob that a
            // later upload of the same content makes again, so "available" is not necessarily once per content.)
            var holders = Enumerable.Range(0, uploads).Where(i => i % contents == c).ToArray();
            var live = holders.Count(i => i % 4 != 3);
            var count = await server.GetBlobReferenceCountAsync(verdicts[c].Sha256, CancellationToken.None);
            Assert.Equal(live, count ?? 0);
        }

        for (var i = 0; i < uploads; i++)
        {
            var trail = await server.GetAuditTrailAsync(uploadIds[i], CancellationToken.None).WaitAsync(Wait);
            UploadState?[] expected =
            [
                null, UploadState.Created, UploadState.Receiving, UploadState.Received, UploadState.Processing,
                outcomes[i].State,
            ];
            var states = trail.Select(e => (UploadState?)e.To).Prepend(trail[0].From).ToArray();
            if (i % 4 == 3)
            {
                expected = [.. expected, UploadState.Terminated];
            }

            Assert.Equal(expected, states);
            var upload = await server.GetAsync(uploadIds[i], CancellationToken.None).WaitAsync(Wait);
            Assert.Equal(states[^1], upload!.State);
        }

        Assert.Equal(uploads, await server.CountUnsentOutboxAsync(CancellationToken.None).WaitAsync(Wait));
    }

    private static async Task<string> ReceivedUploadAsync(IUploadLedger ledger)
    {
        var uploadId = NewUploadId();
        await ledger.RecordCreatedAsync(uploadId, 4, CancellationToken.None).WaitAsync(Wait);
        await ledger.RecordReceivedAsync(uploadId, 4, CancellationToken.None).WaitAsync(Wait);
        return uploadId;
    }

    /// <summary>An upload in state available, the only reference of a blob of its own.</summary>
    private static async Task<string> AvailableUploadAsync(IUploadLedger ledger, string label)
    {
        var verdict = Clean(label + " " + NewUploadId());
        var uploadId = await ProcessingUploadAsync(ledger, verdict.Length);
        var outcome = await ledger.CompleteProcessingAsync(uploadId, verdict, CancellationToken.None).WaitAsync(Wait);
        Assert.Equal(UploadState.Available, outcome.State);
        return uploadId;
    }

    /// <summary>
    /// Starts a termination that frees a blob and returns once its deletion callback runs inside the transaction;
    /// the callback waits there (at most <see cref="LedgerTestData.Wait"/>) until the test completes Release.
    /// </summary>
    private static async Task<HeldCommit> HoldTheCommitterAsync(
        IUploadLedger ledger,
        CancellationToken cancellationToken = default)
    {
        var holder = await AvailableUploadAsync(ledger, "holder");
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var termination = ledger.RecordTerminatedAsync(
            holder,
            async (_, token) =>
            {
                // As a blob store's delete would, the callback honours the token the ledger hands it.
                entered.SetResult();
                await release.Task.WaitAsync(Wait, token);
            },
            cancellationToken);

        await entered.Task.WaitAsync(Wait, CancellationToken.None);
        return new HeldCommit(holder, termination, release);
    }
}
