using TusUpload.Pipeline.Ledger;
using static TusUpload.Pipeline.IntegrationTests.Ledger.LedgerTestData;

namespace TusUpload.Pipeline.IntegrationTests.Ledger;

/// <summary>Pruning: only rows sent before the cutoff go, in batches, and instances pruning together agree.</summary>
public abstract partial class UploadLedgerContract
{
    private static readonly DateTimeOffset LongAgo = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly TimeSpan Retention = TimeSpan.FromDays(7);

    [Fact]
    public async Task Pruning_deletes_rows_sent_before_the_cutoff_and_keeps_newer_sent_and_all_unsent_rows()
    {
        var clock = new ManualClock(LongAgo);
        var ledger = await CreateLedgerWithClockAsync(clock);
        var oldSent = await SentUploadsAsync(ledger, 3);
        var oldUnsent = await ReceivedUploadsAsync(ledger, 2);
        clock.Advance(TimeSpan.FromDays(8));
        var newSent = await SentUploadsAsync(ledger, 2);
        var newUnsent = await ReceivedUploadsAsync(ledger, 1);
        var inFlight = await ledger.ClaimOutboxAsync(1, CancellationToken.None).WaitAsync(Wait);
        var before = await CountOutboxRowsAsync();

        var pruned = await ledger.PruneSentOutboxAsync(clock.GetUtcNow() - Retention, 100, CancellationToken.None)
            .WaitAsync(Wait);

        Assert.Equal([oldUnsent[0]], inFlight.Select(message => message.UploadId).ToArray());
        Assert.Equal(8, before);
        Assert.Equal(oldSent.Length, pruned);
        Assert.Equal(before - oldSent.Length, await CountOutboxRowsAsync());
        Assert.Equal(3, await ledger.CountUnsentOutboxAsync(CancellationToken.None).WaitAsync(Wait));

        // The unsent rows, the eight-day-old ones too, are intact and still go out once the claim's lease ends.
        clock.Advance(TimeSpan.FromMinutes(2));
        var claimable = await ledger.ClaimOutboxAsync(10, CancellationToken.None).WaitAsync(Wait);
        Assert.Equal([.. oldUnsent, .. newUnsent], claimable.Select(message => message.UploadId).ToArray());
        Assert.Equal(newSent.Length, await ledger.PruneSentOutboxAsync(
            clock.GetUtcNow().AddDays(1), 100, CancellationToken.None).WaitAsync(Wait));
    }

    [Fact]
    public async Task Pruning_never_deletes_unsent_rows_however_old_even_with_a_cutoff_in_the_future()
    {
        var clock = new ManualClock(LongAgo);
        var ledger = await CreateLedgerWithClockAsync(clock);
        var sent = await SentUploadsAsync(ledger, 2);
        var unsent = await ReceivedUploadsAsync(ledger, 4);
        await ledger.ClaimOutboxAsync(2, CancellationToken.None).WaitAsync(Wait);
        clock.Advance(TimeSpan.FromDays(3650));
        var before = await CountOutboxRowsAsync();

        var pruned = await ledger.PruneSentOutboxAsync(clock.GetUtcNow().AddDays(1), 100, CancellationToken.None)
            .WaitAsync(Wait);

        Assert.Equal(sent.Length + unsent.Length, before);
        Assert.Equal(sent.Length, pruned);
        Assert.Equal(unsent.Length, await CountOutboxRowsAsync());
        Assert.Equal(unsent.Length, await ledger.CountUnsentOutboxAsync(CancellationToken.None).WaitAsync(Wait));
    }

    [Fact]
    public async Task Pruning_in_batches_deletes_a_backlog_many_batches_long()
    {
        var clock = new ManualClock(LongAgo);
        var ledger = await CreateLedgerWithClockAsync(clock);
        var sent = await SentUploadsAsync(ledger, 23);
        var unsent = await ReceivedUploadsAsync(ledger, 2);
        clock.Advance(TimeSpan.FromDays(8));
        var before = await CountOutboxRowsAsync();

        var pruned = await ledger.PruneSentOutboxAsync(clock.GetUtcNow() - Retention, 5, CancellationToken.None)
            .WaitAsync(Wait);
        var again = await ledger.PruneSentOutboxAsync(clock.GetUtcNow() - Retention, 5, CancellationToken.None)
            .WaitAsync(Wait);

        Assert.Equal(sent.Length + unsent.Length, before);
        Assert.Equal(sent.Length, pruned);
        Assert.Equal(0, again);
        Assert.Equal(unsent.Length, await CountOutboxRowsAsync());
    }

    [Fact]
    public async Task Instances_pruning_together_delete_every_old_row_once_between_them()
    {
        var clock = new ManualClock(LongAgo);
        var ledger = await CreateLedgerWithClockAsync(clock);
        var sent = await SentUploadsAsync(ledger, 40);
        var unsent = await ReceivedUploadsAsync(ledger, 3);
        clock.Advance(TimeSpan.FromDays(8));
        var instances = new List<IUploadLedger>();
        for (var i = 0; i < 3; i++)
        {
            instances.Add(await CreateLedgerWithClockAsync(clock));
        }

        var pruned = await Task.WhenAll(instances.Select(instance =>
            instance.PruneSentOutboxAsync(clock.GetUtcNow() - Retention, 3, CancellationToken.None))).WaitAsync(Wait);

        Assert.Equal(sent.Length, pruned.Sum());
        Assert.Equal(unsent.Length, await CountOutboxRowsAsync());
    }

    /// <summary>Records uploads as received and marks their rows sent now; other rows' claims are given back.</summary>
    private static async Task<string[]> SentUploadsAsync(IUploadLedger ledger, int count)
    {
        var ids = await ReceivedUploadsAsync(ledger, count);

        var claimed = await ledger.ClaimOutboxAsync(1000, CancellationToken.None).WaitAsync(Wait);
        var mine = claimed.Where(message => ids.Contains(message.UploadId)).ToList();
        var others = claimed.Except(mine).Select(message => message.Id).ToList();
        Assert.Equal(ids, mine.Select(message => message.UploadId).ToArray());

        await ledger.MarkOutboxSentAsync(mine.Select(m => m.Id).ToList(), CancellationToken.None).WaitAsync(Wait);
        await ledger.ReleaseOutboxClaimAsync(others, CancellationToken.None).WaitAsync(Wait);
        return ids;
    }
}
