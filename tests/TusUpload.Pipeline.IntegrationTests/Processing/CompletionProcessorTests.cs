using System.Net;
using System.Net.Sockets;
using System.Text;
using TusUpload.Pipeline.Ledger;
using TusUpload.Pipeline.Processing;

namespace TusUpload.Pipeline.IntegrationTests.Processing;

public sealed class CompletionProcessorTests
{
    [Fact]
    public async Task Same_content_uploaded_20_times_ends_as_one_blob_with_reference_count_20()
    {
        // Arrange
        await using var host = ProcessingTestHost.Start(scan: true);
        var shared = Encoding.UTF8.GetBytes(new string('a', 70_000) + "shared content");
        var distinct = Encoding.UTF8.GetBytes("distinct content");
        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add(await host.ReceiveAsync(shared));
        }

        var distinctId = await host.ReceiveAsync(distinct);

        // Act
        foreach (var id in ids.Append(distinctId))
        {
            await host.ProcessAsync(id);
        }

        // Assert
        var sha = ProcessingTestHost.Sha256Hex(shared);
        var uploads = await Task.WhenAll(ids.Select(host.GetAsync));
        Assert.All(uploads, upload => Assert.Equal(sha, upload.Sha256));
        Assert.Equal(1, uploads.Count(upload => upload.State == UploadState.Available));
        Assert.Equal(19, uploads.Count(upload => upload.State == UploadState.Duplicate));
        Assert.Equal(20, await host.ReferenceCountAsync(sha));
        var other = await host.GetAsync(distinctId);
        Assert.Equal(UploadState.Available, other.State);
        Assert.Equal(ProcessingTestHost.Sha256Hex(distinct), other.Sha256);
        Assert.Equal(2, host.BlobFileCount());
    }

    [Fact]
    public async Task Redelivered_event_for_an_available_upload_changes_nothing()
    {
        // Arrange
        await using var host = ProcessingTestHost.Start(scan: false);
        var content = Encoding.UTF8.GetBytes("processed once");
        var id = await host.ReceiveAsync(content);
        await host.ProcessAsync(id);
        var before = await host.GetAsync(id);

        // Act
        await host.ProcessAsync(id, deliveryCount: 2);
        await host.ProcessAsync(id, deliveryCount: 6);

        // Assert
        var after = await host.GetAsync(id);
        Assert.Equal(UploadState.Available, after.State);
        Assert.Equal(before.UpdatedAt, after.UpdatedAt);
        Assert.Equal(1, await host.ReferenceCountAsync(after.Sha256!));
    }

    [Fact]
    public async Task Same_uploads_processed_concurrently_keep_reference_count_equal_to_uploads()
    {
        // Arrange: 8 uploads of one content, each processed by 3 concurrent handlers.
        await using var host = ProcessingTestHost.Start(scan: false);
        var content = Encoding.UTF8.GetBytes(new string('c', 300_000));
        var ids = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            ids.Add(await host.ReceiveAsync(content));
        }

        // Act: a handler that loses the race may fail (the winner released the data); redelivery settles it.
        var attempts = ids.SelectMany(id => Enumerable.Range(0, 3).Select(_ => Task.Run(() => host.ProcessAsync(id))));
        await Task.WhenAll(attempts.Select(attempt => attempt.ContinueWith(_ => { }, TaskScheduler.Default)))
            .WaitAsync(TimeSpan.FromSeconds(120));
        foreach (var id in ids)
        {
            await host.ProcessAsync(id, deliveryCount: 2);
        }

        // Assert
        var sha = ProcessingTestHost.Sha256Hex(content);
        var uploads = await Task.WhenAll(ids.Select(host.GetAsync));
        Assert.Equal(1, uploads.Count(upload => upload.State == UploadState.Available));
        Assert.Equal(7, uploads.Count(upload => upload.State == UploadState.Duplicate));
        Assert.Equal(8, await host.ReferenceCountAsync(sha));
        Assert.Equal(1, host.BlobFileCount());
    }

    [Fact]
    public async Task Eicar_and_the_zipped_test_file_are_quarantined_and_never_become_blobs()
    {
        // Arrange
        await using var host = ProcessingTestHost.Start(scan: true);
        var eicar = ProcessingTestHost.Eicar();
        var zipped = await File.ReadAllBytesAsync("/usr/share/clamav-testfiles/clam.zip");
        var clean = Encoding.UTF8.GetBytes("nothing to see here");
        var eicarId = await host.ReceiveAsync(eicar);
        var zippedId = await host.ReceiveAsync(zipped);
        var cleanId = await host.ReceiveAsync(clean);

        // Act
        await host.ProcessAsync(eicarId);
        await host.ProcessAsync(zippedId);
        await host.ProcessAsync(cleanId);

        // Assert
        Assert.Equal(UploadState.Quarantined, (await host.GetAsync(eicarId)).State);
        Assert.Equal(UploadState.Quarantined, (await host.GetAsync(zippedId)).State);
        Assert.Equal(UploadState.Available, (await host.GetAsync(cleanId)).State);
        Assert.False(await host.Blobs.ExistsAsync(ProcessingTestHost.Sha256Hex(eicar), default));
        Assert.False(await host.Blobs.ExistsAsync(ProcessingTestHost.Sha256Hex(zipped), default));
        Assert.True(await host.Blobs.ExistsAsync(ProcessingTestHost.Sha256Hex(clean), default));
        Assert.Equal(1, host.BlobFileCount());
    }

    [Fact]
    public async Task Eicar_nested_deeper_than_clamds_recursion_limit_is_quarantined_by_the_limit_alert()
    {
        // Arrange: clamd's MaxRecursion is 17 by default; past it clamd cannot see the EICAR inside and, without
        // AlertExceedsMax, answers OK.
        await using var host = ProcessingTestHost.Start(scan: true);
        var nested = ProcessingTestHost.NestedZip(ProcessingTestHost.Eicar(), depth: 20);
        var nestedId = await host.ReceiveAsync(nested);

        // Act
        await host.ProcessAsync(nestedId);

        // Assert
        var upload = await host.GetAsync(nestedId);
        Assert.Equal(UploadState.Quarantined, upload.State);
        Assert.StartsWith("infected: Heuristics.Limits.Exceeded.", upload.Verdict, StringComparison.Ordinal);
        Assert.False(await host.Blobs.ExistsAsync(ProcessingTestHost.Sha256Hex(nested), default));
    }

    [Fact]
    public async Task Declared_sha256_that_differs_marks_the_upload_failed_and_a_matching_one_passes()
    {
        // Arrange
        await using var host = ProcessingTestHost.Start(scan: false);
        var content = Encoding.UTF8.GetBytes("declared checksum");
        var hex = ProcessingTestHost.Sha256Hex(content);
        var wrong = ProcessingTestHost.Sha256Hex(Encoding.UTF8.GetBytes("other"));
        var matchingId = await host.ReceiveAsync(content, Metadata(hex));
        var base64Id = await host.ReceiveAsync(content, Metadata(Convert.ToBase64String(Convert.FromHexString(hex))));
        var wrongId = await host.ReceiveAsync(content, Metadata(wrong));

        // Act
        await host.ProcessAsync(matchingId);
        await host.ProcessAsync(base64Id);
        await host.ProcessAsync(wrongId);

        // Assert
        Assert.Equal(UploadState.Available, (await host.GetAsync(matchingId)).State);
        Assert.Equal(UploadState.Duplicate, (await host.GetAsync(base64Id)).State);
        var failed = await host.GetAsync(wrongId);
        Assert.Equal(UploadState.Failed, failed.State);
        Assert.Contains("declared sha256", failed.FailureReason, StringComparison.Ordinal);
        Assert.Equal(2, await host.ReferenceCountAsync(hex));

        static string Metadata(string sha256) =>
            "filename ZmlsZS50eHQ=,sha256 " + Convert.ToBase64String(Encoding.UTF8.GetBytes(sha256));
    }

    [Fact]
    public async Task Unreachable_scanner_defers_and_leaves_the_upload_processing_never_available()
    {
        // Arrange: a loopback port that we bound and released, so nothing listens there.
        var closedPort = FreeLoopbackPort();
        await using var host = ProcessingTestHost.Start(scan: true, clamdEndpoint: $"127.0.0.1:{closedPort}");
        var id = await host.ReceiveAsync(Encoding.UTF8.GetBytes("waiting for the scanner"));

        // Act
        var deferred = await Assert.ThrowsAsync<ProcessingDeferredException>(() => host.ProcessAsync(id));

        // Assert
        Assert.Contains("clamd", deferred.Message, StringComparison.Ordinal);
        var upload = await host.GetAsync(id);
        Assert.Equal(UploadState.Processing, upload.State);
        Assert.Null(upload.Sha256);
        Assert.Equal(0, host.BlobFileCount());
    }

    [Fact]
    public async Task Missing_object_fails_each_delivery_and_marks_the_upload_failed_on_the_last_one()
    {
        // Arrange
        await using var host = ProcessingTestHost.Start(scan: false, extra: ("Worker:MaxDeliveries", "3"));
        var id = await host.ReceiveAsync(Encoding.UTF8.GetBytes("deleted behind our back"));
        await host.Store.DeleteAsync(id, default).WaitAsync(TimeSpan.FromSeconds(10));

        // Act
        await Assert.ThrowsAnyAsync<Exception>(() => host.ProcessAsync(id, deliveryCount: 1));
        var afterFirst = (await host.GetAsync(id)).State;
        await Assert.ThrowsAnyAsync<Exception>(() => host.ProcessAsync(id, deliveryCount: 3));

        // Assert
        Assert.Equal(UploadState.Processing, afterFirst);
        var upload = await host.GetAsync(id);
        Assert.Equal(UploadState.Failed, upload.State);
        Assert.Contains("gave up after 3 deliveries", upload.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Blob_promoted_for_an_upload_terminated_before_the_commit_is_deleted_with_nothing_pointing_at_it()
    {
        // Arrange: a DELETE lands between the worker's promotion and its commit, as the DELETE handler does it.
        await using var host = ProcessingTestHost.StartWithBlobs(
            scan: false,
            inner => new ScriptedBlobStore(inner));
        var blobs = (ScriptedBlobStore)host.Blobs;
        var content = Encoding.UTF8.GetBytes("deleted by its owner while processed " + Guid.NewGuid());
        var id = await host.ReceiveAsync(content);
        blobs.AfterPromote = async uploadId =>
        {
            await host.Store.DeleteAsync(uploadId, CancellationToken.None);
            await host.Ledger.RecordTerminatedAsync(uploadId, CancellationToken.None);
        };
        Assert.Equal(0, host.BlobFileCount());

        // Act
        await host.ProcessAsync(id);

        // Assert
        Assert.Equal(UploadState.Terminated, (await host.GetAsync(id)).State);
        Assert.Equal(0, host.BlobFileCount());
        Assert.Null(await host.ReferenceCountAsync(ProcessingTestHost.Sha256Hex(content)));
    }

    [Fact]
    public async Task Blob_promoted_for_a_terminated_upload_stays_while_another_upload_points_at_it()
    {
        // Arrange: the same content is available through a first upload; the second is deleted while processed.
        await using var host = ProcessingTestHost.StartWithBlobs(
            scan: false,
            inner => new ScriptedBlobStore(inner));
        var blobs = (ScriptedBlobStore)host.Blobs;
        var content = Encoding.UTF8.GetBytes("kept for its other owner " + Guid.NewGuid());
        var kept = await host.ReceiveAsync(content);
        await host.ProcessAsync(kept);
        var terminated = await host.ReceiveAsync(content);
        blobs.AfterPromote = async uploadId =>
        {
            await host.Store.DeleteAsync(uploadId, CancellationToken.None);
            await host.Ledger.RecordTerminatedAsync(uploadId, CancellationToken.None);
        };

        // Act
        await host.ProcessAsync(terminated);

        // Assert
        Assert.Equal(UploadState.Terminated, (await host.GetAsync(terminated)).State);
        Assert.Equal(1, host.BlobFileCount());
        Assert.Equal(1, await host.ReferenceCountAsync(ProcessingTestHost.Sha256Hex(content)));
        await using var blob = await host.Blobs.OpenReadAsync(
            ProcessingTestHost.Sha256Hex(content),
            0,
            content.Length,
            CancellationToken.None);
        using var stored = new MemoryStream();
        await blob.CopyToAsync(stored);
        Assert.Equal(content, stored.ToArray());
    }

    [Fact]
    public async Task Redelivery_after_a_failed_release_releases_the_data_and_restores_a_blob_deleted_meanwhile()
    {
        // Arrange: the first delivery commits, then its release of the upload's data fails; before the
        // redelivery the blob is gone (a termination of another upload of the same content deleted it).
        await using var host = ProcessingTestHost.StartWithBlobs(
            scan: false,
            inner => new ScriptedBlobStore(inner) { FailingReleases = 1 });
        var content = Encoding.UTF8.GetBytes("released on the second delivery " + Guid.NewGuid());
        var sha256 = ProcessingTestHost.Sha256Hex(content);
        var id = await host.ReceiveAsync(content);
        await Assert.ThrowsAnyAsync<Exception>(() => host.ProcessAsync(id, deliveryCount: 1));
        var afterFirst = (await host.GetAsync(id)).State;
        await host.Blobs.DeleteAsync(sha256, CancellationToken.None);

        // Act
        await host.ProcessAsync(id, deliveryCount: 2);

        // Assert
        Assert.Equal(UploadState.Available, afterFirst);
        Assert.Equal(UploadState.Available, (await host.GetAsync(id)).State);
        Assert.False(File.Exists(Path.Combine(host.Root, "uploads", id + ".data")), "The upload's data stayed.");
        await using var blob = await host.Blobs.OpenReadAsync(sha256, 0, content.Length, CancellationToken.None);
        using var stored = new MemoryStream();
        await blob.CopyToAsync(stored);
        Assert.Equal(content, stored.ToArray());
    }

    [Fact]
    public async Task Redelivery_that_finds_the_blob_and_the_data_both_gone_fails_every_time_and_changes_nothing()
    {
        // Arrange: as above, but before the redeliveries the upload's data is gone as well, so nothing is left to
        // restore the blob from: the content is lost.
        await using var host = ProcessingTestHost.StartWithBlobs(
            scan: false,
            inner => new ScriptedBlobStore(inner) { FailingReleases = 1 },
            ("Worker:MaxDeliveries", "3"));
        var content = Encoding.UTF8.GetBytes("lost between two deliveries " + Guid.NewGuid());
        var sha256 = ProcessingTestHost.Sha256Hex(content);
        var id = await host.ReceiveAsync(content);
        await Assert.ThrowsAnyAsync<Exception>(() => host.ProcessAsync(id, deliveryCount: 1));
        await host.Blobs.DeleteAsync(sha256, CancellationToken.None);
        File.Delete(Path.Combine(host.Root, "uploads", id + ".data"));

        // Act
        var second = await Assert.ThrowsAnyAsync<Exception>(() => host.ProcessAsync(id, deliveryCount: 2));
        var last = await Assert.ThrowsAnyAsync<Exception>(() => host.ProcessAsync(id, deliveryCount: 3));

        // Assert: every delivery fails (so the queue dead-letters the message), saying why. The ledger cannot
        // take an available upload to failed, so it keeps saying available: a known shortcoming.
        Assert.Contains(id, second.Message, StringComparison.Ordinal);
        Assert.Equal(second.Message, last.Message);
        Assert.False(await host.Blobs.ExistsAsync(sha256, CancellationToken.None));
        Assert.Equal(UploadState.Available, (await host.GetAsync(id)).State);
    }

    [Fact]
    public async Task Upload_whose_commit_fails_on_its_last_delivery_ends_failed_and_leaves_no_blob()
    {
        // Arrange: the content is promoted, then the ledger refuses the commit of the outcome, on every delivery.
        await using var host = ProcessingTestHost.StartWithLedger(scan: false, OutcomeCommitFails.Wrap);
        var content = Encoding.UTF8.GetBytes("promoted, never committed " + Guid.NewGuid());
        var sha256 = ProcessingTestHost.Sha256Hex(content);
        var id = await host.ReceiveAsync(content);
        await Assert.ThrowsAnyAsync<Exception>(() => host.ProcessAsync(id, deliveryCount: 5));
        var blobsAfterFifth = host.BlobFileCount();

        // Act
        await Assert.ThrowsAnyAsync<Exception>(() => host.ProcessAsync(id, deliveryCount: 6));

        // Assert: the failed upload keeps its data for inspection; the blob nothing points at is gone.
        Assert.Equal(1, blobsAfterFifth);
        var upload = await host.GetAsync(id);
        Assert.Equal(UploadState.Failed, upload.State);
        Assert.Contains("gave up after 6 deliveries", upload.FailureReason, StringComparison.Ordinal);
        Assert.Equal(0, host.BlobFileCount());
        Assert.Null(await host.ReferenceCountAsync(sha256));
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(host.Root, "uploads", id + ".data")));
    }

    [Fact]
    public async Task Upload_whose_promotion_fails_after_making_the_blob_on_its_last_delivery_leaves_no_blob()
    {
        // Arrange: the promotion makes the blob and then throws, as a disk store whose folder fsync failed does.
        await using var host = ProcessingTestHost.StartWithBlobs(scan: false, inner => new ScriptedBlobStore(inner));
        var blobs = (ScriptedBlobStore)host.Blobs;
        blobs.AfterPromote = _ => throw new IOException("fsync of the blob folder failed (test)");
        var content = Encoding.UTF8.GetBytes("linked, then the promotion failed " + Guid.NewGuid());
        var id = await host.ReceiveAsync(content);

        // Act
        await Assert.ThrowsAnyAsync<Exception>(() => host.ProcessAsync(id, deliveryCount: 6));

        // Assert
        Assert.Equal(UploadState.Failed, (await host.GetAsync(id)).State);
        Assert.Equal(0, host.BlobFileCount());
        Assert.Null(await host.ReferenceCountAsync(ProcessingTestHost.Sha256Hex(content)));
    }

    [Fact]
    public async Task Upload_failing_on_its_last_delivery_leaves_the_blob_another_upload_points_at()
    {
        // Arrange: the same content is available through a first upload; the second's promotion then fails.
        await using var host = ProcessingTestHost.StartWithBlobs(scan: false, inner => new ScriptedBlobStore(inner));
        var blobs = (ScriptedBlobStore)host.Blobs;
        var content = Encoding.UTF8.GetBytes("kept for the upload that points at it " + Guid.NewGuid());
        var sha256 = ProcessingTestHost.Sha256Hex(content);
        var kept = await host.ReceiveAsync(content);
        await host.ProcessAsync(kept);
        var failing = await host.ReceiveAsync(content);
        blobs.AfterPromote = _ => throw new IOException("fsync of the blob folder failed (test)");

        // Act
        await Assert.ThrowsAnyAsync<Exception>(() => host.ProcessAsync(failing, deliveryCount: 6));

        // Assert
        Assert.Equal(UploadState.Failed, (await host.GetAsync(failing)).State);
        Assert.Equal(UploadState.Available, (await host.GetAsync(kept)).State);
        Assert.Equal(1, await host.ReferenceCountAsync(sha256));
        await using var blob = await host.Blobs.OpenReadAsync(sha256, 0, content.Length, CancellationToken.None);
        using var stored = new MemoryStream();
        await blob.CopyToAsync(stored);
        Assert.Equal(content, stored.ToArray());
    }

    [Theory]
    [InlineData("2147483647")]
    [InlineData("0")]
    public async Task Delivery_limit_rabbitmq_would_refuse_leaves_the_default_of_six_deliveries(string deliveryLimit)
    {
        // Arrange: the in-process queue, where nothing else reads RabbitMq:DeliveryLimit.
        await using var host = ProcessingTestHost.Start(scan: false, extra: ("RabbitMq:DeliveryLimit", deliveryLimit));
        var id = await host.ReceiveAsync(Encoding.UTF8.GetBytes("deleted behind our back"));
        await host.Store.DeleteAsync(id, default).WaitAsync(TimeSpan.FromSeconds(10));

        // Act
        await Assert.ThrowsAnyAsync<Exception>(() => host.ProcessAsync(id, deliveryCount: 5));
        var afterFifth = (await host.GetAsync(id)).State;
        await Assert.ThrowsAnyAsync<Exception>(() => host.ProcessAsync(id, deliveryCount: 6));

        // Assert
        Assert.Equal(UploadState.Processing, afterFifth);
        var upload = await host.GetAsync(id);
        Assert.Equal(UploadState.Failed, upload.State);
        Assert.Contains("gave up after 6 deliveries", upload.FailureReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Upload_terminated_while_processed_ends_quietly_without_a_failure_or_a_retry(bool recordedAtOnce)
    {
        // Arrange: a DELETE lands after the worker began, just before it reads the content. Like the DELETE
        // handler it removes the data first and records the termination after; that record may come at once or
        // only after the worker's read has failed.
        HashKnowingUploadStore? store = null;
        await using var host = ProcessingTestHost.StartWithStore(scan: false, inner => store = new(inner));
        var id = await host.ReceiveAsync(Encoding.UTF8.GetBytes("terminated while processed"));
        Task recorded = Task.CompletedTask;
        store!.BeforeRead = async uploadId =>
        {
            await host.Store.DeleteAsync(uploadId, default).WaitAsync(TimeSpan.FromSeconds(10));
            var delay = recordedAtOnce ? TimeSpan.Zero : TimeSpan.FromMilliseconds(300);
            recorded = RecordTerminationAsync(host, uploadId, delay);
            if (recordedAtOnce)
            {
                await recorded;
            }
        };

        // Act: the delivery neither throws (which would retry it) nor marks the upload failed.
        await host.ProcessAsync(id).WaitAsync(TimeSpan.FromSeconds(30));
        await recorded.WaitAsync(TimeSpan.FromSeconds(10));

        // Assert
        var upload = await host.GetAsync(id);
        Assert.Equal(1, store.Reads);
        Assert.Equal(UploadState.Terminated, upload.State);
        Assert.Null(upload.FailureReason);
        Assert.Equal(0, host.BlobFileCount());
    }

    private static async Task RecordTerminationAsync(ProcessingTestHost host, string uploadId, TimeSpan after)
    {
        await Task.Delay(after);
        await host.Ledger.RecordTerminatedAsync(uploadId, default).WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
