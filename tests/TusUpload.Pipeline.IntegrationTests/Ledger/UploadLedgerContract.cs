using TusUpload.Pipeline.Ledger;
using TusUpload.Pipeline.Messaging;
using TusUpload.Pipeline.Outbox;
using static TusUpload.Pipeline.IntegrationTests.Ledger.LedgerTestData;

namespace TusUpload.Pipeline.IntegrationTests.Ledger;

/// <summary>
/// What every <see cref="IUploadLedger"/> must do, run against each real database by a derived class: transitions
/// are conditional and audited once, completion writes exactly one outbox row, blob counts equal the uploads that
/// point at the blob, and outbox claims never hand one row to two relays.
/// </summary>
public abstract partial class UploadLedgerContract : IAsyncLifetime
{
    private IUploadLedger? _ledger;

    protected IUploadLedger Ledger => _ledger ?? throw new InvalidOperationException("Not initialized.");

    public async Task InitializeAsync() => _ledger = await CreateLedgerAsync(null);

    public abstract Task DisposeAsync();

    /// <summary>Another ledger on the same database, as a second server instance or worker would have.</summary>
    protected abstract Task<IUploadLedger> CreateLedgerAsync(TimeSpan? claimLease);

    /// <summary>Another ledger on the same database whose clock (sent at, claimed until) is the given one.</summary>
    protected abstract Task<IUploadLedger> CreateLedgerWithClockAsync(TimeProvider time);

    /// <summary>Every outbox row, sent or not, counted in the database itself.</summary>
    protected abstract Task<long> CountOutboxRowsAsync();

    [Fact]
    public async Task Created_receiving_received_each_move_once_and_are_audited_in_order()
    {
        var uploadId = NewUploadId();

        await Ledger.RecordCreatedAsync(uploadId, 5, CancellationToken.None).WaitAsync(Wait);
        await Ledger.RecordReceivingAsync(uploadId, CancellationToken.None).WaitAsync(Wait);
        await Ledger.RecordReceivedAsync(uploadId, 5, CancellationToken.None).WaitAsync(Wait);

        var upload = await Ledger.GetAsync(uploadId, CancellationToken.None).WaitAsync(Wait);
        Assert.NotNull(upload);
        Assert.Equal(UploadState.Received, upload.State);
        Assert.Equal(5, upload.Length);
        var trail = await Ledger.GetAuditTrailAsync(uploadId, CancellationToken.None).WaitAsync(Wait);
        Assert.Equal(
            [(null, UploadState.Created), (UploadState.Created, UploadState.Receiving),
                (UploadState.Receiving, UploadState.Received)],
            trail.Select(e => (e.From, e.To)).ToArray());
        Assert.All(trail, e => Assert.StartsWith("server@", e.Actor, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Repeated_transitions_change_nothing_and_the_audit_shows_one_event_each()
    {
        var uploadId = NewUploadId();

        for (var i = 0; i < 3; i++)
        {
            await Ledger.RecordCreatedAsync(uploadId, 7, CancellationToken.None).WaitAsync(Wait);
            await Ledger.RecordReceivingAsync(uploadId, CancellationToken.None).WaitAsync(Wait);
            await Ledger.RecordReceivedAsync(uploadId, 7, CancellationToken.None).WaitAsync(Wait);
            await Ledger.RecordExpiredAsync(uploadId, CancellationToken.None).WaitAsync(Wait);
        }

        var trail = await Ledger.GetAuditTrailAsync(uploadId, CancellationToken.None).WaitAsync(Wait);
        Assert.Equal(3, trail.Count);
        Assert.Equal(UploadState.Received, trail[^1].To);
        Assert.Equal(1, await Ledger.CountUnsentOutboxAsync(CancellationToken.None).WaitAsync(Wait));
        var upload = await Ledger.GetAsync(uploadId, CancellationToken.None).WaitAsync(Wait);
        Assert.Equal(UploadState.Received, upload!.State);
    }

    [Fact]
    public async Task Received_writes_one_outbox_row_holding_the_completed_cloud_event()
    {
        var uploadId = NewUploadId();
        var completedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        await Ledger.RecordCreatedAsync(uploadId, 11, CancellationToken.None).WaitAsync(Wait);

        await Ledger.RecordReceivedAsync(
            new UploadCompletedEvent(uploadId, 11, "filename aGVsbG8=", completedAt),
            CancellationToken.None).WaitAsync(Wait);

        var claimed = await Ledger.ClaimOutboxAsync(10, CancellationToken.None).WaitAsync(Wait);
        var message = Assert.Single(claimed);
        Assert.Equal(uploadId, message.UploadId);
        Assert.Equal("tusupload.upload.completed", message.EventType);
        using var json = System.Text.Json.JsonDocument.Parse(message.Payload);
        Assert.Equal("1.0", json.RootElement.GetProperty("specversion").GetString());
        Assert.Equal(uploadId, json.RootElement.GetProperty("id").GetString());
        Assert.Equal("tusupload.upload.completed", json.RootElement.GetProperty("type").GetString());
        Assert.Equal("/tusupload", json.RootElement.GetProperty("source").GetString());
        Assert.Equal("application/json", json.RootElement.GetProperty("datacontenttype").GetString());
        Assert.Equal(
            new UploadCompletedEvent(uploadId, 11, "filename aGVsbG8=", completedAt),
            CompletedEventPayload.Deserialize(message.Payload));
    }

    [Fact]
    public async Task Concurrent_received_calls_write_exactly_one_outbox_row_and_one_audit_event()
    {
        var uploadId = NewUploadId();
        await Ledger.RecordCreatedAsync(uploadId, 3, CancellationToken.None).WaitAsync(Wait);
        var ledgers = new List<IUploadLedger>();
        for (var i = 0; i < 4; i++)
        {
            ledgers.Add(await CreateLedgerAsync(null));
        }

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            ledgers[i % ledgers.Count].RecordReceivedAsync(uploadId, 3, CancellationToken.None))).WaitAsync(Wait);

        Assert.Equal(1, await Ledger.CountUnsentOutboxAsync(CancellationToken.None).WaitAsync(Wait));
        var trail = await Ledger.GetAuditTrailAsync(uploadId, CancellationToken.None).WaitAsync(Wait);
        Assert.Single(trail, e => e.To == UploadState.Received);
    }

    [Fact]
    public async Task Completion_of_an_upload_whose_creation_was_never_recorded_still_enqueues_it()
    {
        var uploadId = NewUploadId();

        await Ledger.RecordReceivedAsync(uploadId, 9, CancellationToken.None).WaitAsync(Wait);

        var upload = await Ledger.GetAsync(uploadId, CancellationToken.None).WaitAsync(Wait);
        Assert.Equal(UploadState.Received, upload!.State);
        Assert.Equal(1, await Ledger.CountUnsentOutboxAsync(CancellationToken.None).WaitAsync(Wait));
    }

    [Fact]
    public async Task Expiry_applies_only_to_unfinished_uploads()
    {
        var unfinished = NewUploadId();
        var finished = NewUploadId();
        await Ledger.RecordCreatedAsync(unfinished, 10, CancellationToken.None).WaitAsync(Wait);
        await Ledger.RecordReceivedAsync(finished, 10, CancellationToken.None).WaitAsync(Wait);

        await Ledger.RecordExpiredAsync(unfinished, CancellationToken.None).WaitAsync(Wait);
        await Ledger.RecordExpiredAsync(finished, CancellationToken.None).WaitAsync(Wait);

        Assert.Equal(UploadState.Expired, (await Ledger.GetAsync(unfinished, CancellationToken.None))!.State);
        Assert.Equal(UploadState.Received, (await Ledger.GetAsync(finished, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task Unknown_upload_reads_as_null_and_its_transitions_are_no_ops()
    {
        var uploadId = NewUploadId();

        await Ledger.RecordReceivingAsync(uploadId, CancellationToken.None).WaitAsync(Wait);
        await Ledger.RecordTerminatedAsync(uploadId, CancellationToken.None).WaitAsync(Wait);
        var began = await Ledger.BeginProcessingAsync(uploadId, CancellationToken.None).WaitAsync(Wait);

        Assert.False(began);
        Assert.Null(await Ledger.GetAsync(uploadId, CancellationToken.None).WaitAsync(Wait));
        Assert.Empty(await Ledger.GetAuditTrailAsync(uploadId, CancellationToken.None).WaitAsync(Wait));
    }
}
