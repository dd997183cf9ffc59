using TusUpload.Pipeline.Ledger;
using static TusUpload.Pipeline.IntegrationTests.Ledger.LedgerTestData;

namespace TusUpload.Pipeline.IntegrationTests.Ledger;

/// <summary>Processing: blobs, duplicates, quarantine, failure and redelivery.</summary>
public abstract partial class UploadLedgerContract
{
    [Fact]
    public async Task First_upload_of_a_content_is_available_and_the_second_a_duplicate_with_count_2()
    {
        var verdict = Clean("first and second " + NewUploadId());
        var first = await ProcessingUploadAsync(Ledger, verdict.Length);
        var second = await ProcessingUploadAsync(Ledger, verdict.Length);

        var firstOutcome = await Ledger.CompleteProcessingAsync(first, verdict, CancellationToken.None).WaitAsync(Wait);
        var secondOutcome = await Ledger.CompleteProcessingAsync(second, verdict, CancellationToken.None)
            .WaitAsync(Wait);

        Assert.Equal(new ProcessingOutcome(UploadState.Available, true), firstOutcome);
        Assert.Equal(new ProcessingOutcome(UploadState.Duplicate, true), secondOutcome);
        Assert.Equal(
            2,
            await Ledger.GetBlobReferenceCountAsync(verdict.Sha256, CancellationToken.None).WaitAsync(Wait));
        var upload = await Ledger.GetAsync(second, CancellationToken.None).WaitAsync(Wait);
        Assert.Equal((verdict.Sha256, LedgerVerdicts.Clean), (upload!.Sha256, upload.Verdict));
        var trail = await Ledger.GetAuditTrailAsync(second, CancellationToken.None).WaitAsync(Wait);
        Assert.Equal((UploadState.Processing, UploadState.Duplicate), (trail[^1].From, trail[^1].To));
        Assert.StartsWith("worker@", trail[^1].Actor, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Content_processed_with_scanning_off_is_recorded_as_unscanned_never_clean()
    {
        var verdict = Clean("not scanned " + NewUploadId()) with { Scanned = false };
        var uploadId = await ProcessingUploadAsync(Ledger, verdict.Length);

        var outcome = await Ledger.CompleteProcessingAsync(uploadId, verdict, CancellationToken.None).WaitAsync(Wait);

        Assert.Equal(new ProcessingOutcome(UploadState.Available, true), outcome);
        var upload = await Ledger.GetAsync(uploadId, CancellationToken.None).WaitAsync(Wait);
        Assert.Equal(LedgerVerdicts.Unscanned, upload!.Verdict);
    }

    [Fact]
    public async Task Twenty_uploads_of_one_content_completing_concurrently_make_one_blob_with_count_20()
    {
        var verdict = Clean("twenty " + NewUploadId());
        var uploadIds = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            uploadIds.Add(await ProcessingUploadAsync(Ledger, verdict.Length));
        }

        var ledgers = new List<IUploadLedger>();
        for (var i = 0; i < 4; i++)
        {
            ledgers.Add(await CreateLedgerAsync(null));
        }

        var outcomes = await Task.WhenAll(uploadIds.Select((id, i) =>
            ledgers[i % ledgers.Count].CompleteProcessingAsync(id, verdict, CancellationToken.None))).WaitAsync(Wait);

        Assert.Single(outcomes, o => o.State == UploadState.Available);
        Assert.Equal(19, outcomes.Count(o => o.State == UploadState.Duplicate));
        Assert.Equal(
            20,
            await Ledger.GetBlobReferenceCountAsync(verdict.Sha256, CancellationToken.None).WaitAsync(Wait));
        var pointing = 0;
        foreach (var id in uploadIds)
        {
            var upload = await Ledger.GetAsync(id, CancellationToken.None).WaitAsync(Wait);
            pointing += upload!.Sha256 == verdict.Sha256 && upload.State.IsDownloadable() ? 1 : 0;
        }

        Assert.Equal(20, pointing);
    }

    [Fact]
    public async Task Redelivered_completion_changes_nothing_and_counts_the_blob_once()
    {
        var verdict = Clean("redelivered " + NewUploadId());
        var uploadId = await ProcessingUploadAsync(Ledger, verdict.Length);
        await Ledger.CompleteProcessingAsync(uploadId, verdict, CancellationToken.None).WaitAsync(Wait);

        var again = await Ledger.CompleteProcessingAsync(uploadId, verdict, CancellationToken.None).WaitAsync(Wait);
        var beganAgain = await Ledger.BeginProcessingAsync(uploadId, CancellationToken.None).WaitAsync(Wait);

        Assert.Equal(new ProcessingOutcome(UploadState.Available, false), again);
        Assert.False(beganAgain);
        Assert.Equal(
            1,
            await Ledger.GetBlobReferenceCountAsync(verdict.Sha256, CancellationToken.None).WaitAsync(Wait));
        var trail = await Ledger.GetAuditTrailAsync(uploadId, CancellationToken.None).WaitAsync(Wait);
        Assert.Single(trail, e => e.To == UploadState.Available);
    }

    [Fact]
    public async Task Infected_content_is_quarantined_without_a_blob()
    {
        var uploadId = await ProcessingUploadAsync(Ledger, 68);
        var verdict = new ContentVerdict(
            Sha256Of("eicar " + uploadId), 68, Infected: true, Signature: "Eicar-Test-Signature");

        var outcome = await Ledger.CompleteProcessingAsync(uploadId, verdict, CancellationToken.None).WaitAsync(Wait);

        Assert.Equal(new ProcessingOutcome(UploadState.Quarantined, true), outcome);
        Assert.Null(await Ledger.GetBlobReferenceCountAsync(verdict.Sha256, CancellationToken.None).WaitAsync(Wait));
        var upload = await Ledger.GetAsync(uploadId, CancellationToken.None).WaitAsync(Wait);
        Assert.Equal("infected: Eicar-Test-Signature", upload!.Verdict);
        Assert.False(upload.State.IsDownloadable());
    }

    [Fact]
    public async Task Failed_upload_keeps_its_reason_and_a_later_failure_of_a_finished_upload_is_a_no_op()
    {
        var failing = await ProcessingUploadAsync(Ledger, 4);
        var verdict = Clean("finished " + NewUploadId());
        var finished = await ProcessingUploadAsync(Ledger, verdict.Length);
        await Ledger.CompleteProcessingAsync(finished, verdict, CancellationToken.None).WaitAsync(Wait);

        await Ledger.MarkFailedAsync(failing, "object vanished", CancellationToken.None).WaitAsync(Wait);
        await Ledger.MarkFailedAsync(finished, "late failure", CancellationToken.None).WaitAsync(Wait);

        var failed = await Ledger.GetAsync(failing, CancellationToken.None).WaitAsync(Wait);
        Assert.Equal((UploadState.Failed, "object vanished"), (failed!.State, failed.FailureReason));
        var kept = await Ledger.GetAsync(finished, CancellationToken.None).WaitAsync(Wait);
        Assert.Equal((UploadState.Available, null), (kept!.State, kept.FailureReason));
    }

    [Fact]
    public async Task Terminating_a_duplicate_lowers_the_blob_count_to_the_uploads_still_pointing_at_it()
    {
        var verdict = Clean("terminated " + NewUploadId());
        var kept = await ProcessingUploadAsync(Ledger, verdict.Length);
        var terminated = await ProcessingUploadAsync(Ledger, verdict.Length);
        await Ledger.CompleteProcessingAsync(kept, verdict, CancellationToken.None).WaitAsync(Wait);
        await Ledger.CompleteProcessingAsync(terminated, verdict, CancellationToken.None).WaitAsync(Wait);

        await Ledger.RecordTerminatedAsync(terminated, CancellationToken.None).WaitAsync(Wait);
        await Ledger.RecordTerminatedAsync(terminated, CancellationToken.None).WaitAsync(Wait);

        Assert.Equal(
            1,
            await Ledger.GetBlobReferenceCountAsync(verdict.Sha256, CancellationToken.None).WaitAsync(Wait));
        Assert.Equal(UploadState.Terminated, (await Ledger.GetAsync(terminated, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task Terminating_reports_the_blob_and_its_new_count_and_the_last_reference_deletes_row_and_data()
    {
        var verdict = Clean("released " + NewUploadId());
        var first = await ProcessingUploadAsync(Ledger, verdict.Length);
        var second = await ProcessingUploadAsync(Ledger, verdict.Length);
        await Ledger.CompleteProcessingAsync(first, verdict, CancellationToken.None).WaitAsync(Wait);
        await Ledger.CompleteProcessingAsync(second, verdict, CancellationToken.None).WaitAsync(Wait);
        var deleted = new List<string>();
        Func<string, CancellationToken, Task> delete = (sha256, _) =>
        {
            deleted.Add(sha256);
            return Task.CompletedTask;
        };

        var afterFirst = await Ledger.RecordTerminatedAsync(first, delete, CancellationToken.None).WaitAsync(Wait);
        var repeated = await Ledger.RecordTerminatedAsync(first, delete, CancellationToken.None).WaitAsync(Wait);
        var afterSecond = await Ledger.RecordTerminatedAsync(second, delete, CancellationToken.None).WaitAsync(Wait);

        Assert.Equal(new BlobRelease(verdict.Sha256, 1), afterFirst);
        Assert.Null(repeated);
        Assert.Equal(new BlobRelease(verdict.Sha256, 0), afterSecond);
        Assert.Equal([verdict.Sha256], deleted);
        Assert.Null(await Ledger.GetBlobReferenceCountAsync(verdict.Sha256, CancellationToken.None).WaitAsync(Wait));
    }

    [Fact]
    public async Task Completing_an_upload_terminated_meanwhile_deletes_a_blob_no_upload_points_at_and_keeps_others()
    {
        var orphan = Clean("promoted, then terminated " + NewUploadId());
        var shared = Clean("pointed at by another " + NewUploadId());
        var keeper = await ProcessingUploadAsync(Ledger, shared.Length);
        await Ledger.CompleteProcessingAsync(keeper, shared, CancellationToken.None).WaitAsync(Wait);
        var alone = await ProcessingUploadAsync(Ledger, orphan.Length);
        var beside = await ProcessingUploadAsync(Ledger, shared.Length);
        await Ledger.RecordTerminatedAsync(alone, CancellationToken.None).WaitAsync(Wait);
        await Ledger.RecordTerminatedAsync(beside, CancellationToken.None).WaitAsync(Wait);
        var deleted = new List<string>();
        Func<string, CancellationToken, Task> delete = (sha256, _) =>
        {
            deleted.Add(sha256);
            return Task.CompletedTask;
        };

        var aloneOutcome = await Ledger.CompleteProcessingAsync(alone, orphan, delete, CancellationToken.None)
            .WaitAsync(Wait);
        var besideOutcome = await Ledger.CompleteProcessingAsync(beside, shared, delete, CancellationToken.None)
            .WaitAsync(Wait);

        Assert.Equal(new ProcessingOutcome(UploadState.Terminated, false), aloneOutcome);
        Assert.Equal(new ProcessingOutcome(UploadState.Terminated, false), besideOutcome);
        Assert.Equal([orphan.Sha256], deleted);
        Assert.Null(await Ledger.GetBlobReferenceCountAsync(orphan.Sha256, CancellationToken.None).WaitAsync(Wait));
        Assert.Equal(
            1,
            await Ledger.GetBlobReferenceCountAsync(shared.Sha256, CancellationToken.None).WaitAsync(Wait));
    }

    [Fact]
    public async Task Content_uploaded_again_after_its_blob_was_freed_becomes_available_with_count_1()
    {
        var verdict = Clean("again " + NewUploadId());
        var gone = await ProcessingUploadAsync(Ledger, verdict.Length);
        await Ledger.CompleteProcessingAsync(gone, verdict, CancellationToken.None).WaitAsync(Wait);
        await Ledger.RecordTerminatedAsync(gone, CancellationToken.None).WaitAsync(Wait);
        var again = await ProcessingUploadAsync(Ledger, verdict.Length);

        var outcome = await Ledger.CompleteProcessingAsync(again, verdict, CancellationToken.None).WaitAsync(Wait);

        Assert.Equal(UploadState.Available, outcome.State);
        var count = await Ledger.GetBlobReferenceCountAsync(verdict.Sha256, CancellationToken.None).WaitAsync(Wait);
        Assert.Equal(1, count);
    }

    [Fact]
    public async Task Terminating_an_upload_without_a_blob_reports_none_and_deletes_nothing()
    {
        var uploadId = await ProcessingUploadAsync(Ledger, 3);
        var deleted = 0;

        var release = await Ledger.RecordTerminatedAsync(
            uploadId,
            (_, _) => Task.FromResult(++deleted),
            CancellationToken.None).WaitAsync(Wait);

        Assert.Null(release);
        Assert.Equal(0, deleted);
    }
}
