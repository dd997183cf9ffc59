using System.Collections.Concurrent;
using TusUpload.Pipeline.Ledger;
using static TusUpload.Pipeline.IntegrationTests.Ledger.LedgerTestData;

namespace TusUpload.Pipeline.IntegrationTests.Ledger;

/// <summary>Outbox claims: leases, release, sent rows, and concurrent claimers.</summary>
public abstract partial class UploadLedgerContract
{
    [Fact]
    public async Task Claimed_rows_are_not_claimed_again_until_released_and_sent_rows_never()
    {
        var ids = await ReceivedUploadsAsync(Ledger, 3);

        var first = await Ledger.ClaimOutboxAsync(10, CancellationToken.None).WaitAsync(Wait);
        var whileClaimed = await Ledger.ClaimOutboxAsync(10, CancellationToken.None).WaitAsync(Wait);
        await Ledger.ReleaseOutboxClaimAsync([first[0].Id], CancellationToken.None).WaitAsync(Wait);
        var afterRelease = await Ledger.ClaimOutboxAsync(10, CancellationToken.None).WaitAsync(Wait);
        await Ledger.MarkOutboxSentAsync(first.Select(m => m.Id).ToList(), CancellationToken.None).WaitAsync(Wait);

        Assert.Equal(ids, first.Select(m => m.UploadId).ToArray());
        Assert.Empty(whileClaimed);
        Assert.Equal(first[0].Id, Assert.Single(afterRelease).Id);
        Assert.Equal(0, await Ledger.CountUnsentOutboxAsync(CancellationToken.None).WaitAsync(Wait));
        Assert.Empty(await Ledger.ClaimOutboxAsync(10, CancellationToken.None).WaitAsync(Wait));
    }

    [Fact]
    public async Task Rows_of_a_relay_that_died_are_claimed_again_once_the_lease_ends()
    {
        var shortLease = await CreateLedgerAsync(TimeSpan.FromSeconds(1));
        await ReceivedUploadsAsync(Ledger, 2);
        var crashed = await shortLease.ClaimOutboxAsync(10, CancellationToken.None).WaitAsync(Wait);

        var before = await shortLease.ClaimOutboxAsync(10, CancellationToken.None).WaitAsync(Wait);
        await Task.Delay(TimeSpan.FromMilliseconds(1300));
        var after = await shortLease.ClaimOutboxAsync(10, CancellationToken.None).WaitAsync(Wait);

        Assert.Equal(2, crashed.Count);
        Assert.Empty(before);
        Assert.Equal(crashed.Select(m => m.Id), after.Select(m => m.Id));
    }

    [Fact]
    public async Task Concurrent_claimers_never_get_the_same_row_and_together_get_every_row()
    {
        var ids = await ReceivedUploadsAsync(Ledger, 60);
        var claimers = new List<IUploadLedger>();
        for (var i = 0; i < 3; i++)
        {
            claimers.Add(await CreateLedgerAsync(null));
        }

        var claimed = new ConcurrentBag<string>();
        await Task.WhenAll(claimers.Select(async claimer =>
        {
            for (var round = 0; round < 100; round++)
            {
                var batch = await claimer.ClaimOutboxAsync(4, CancellationToken.None);
                if (batch.Count == 0)
                {
                    return;
                }

                foreach (var message in batch)
                {
                    claimed.Add(message.UploadId);
                }

                await claimer.MarkOutboxSentAsync(batch.Select(m => m.Id).ToList(), CancellationToken.None);
            }
        })).WaitAsync(Wait);

        Assert.Equal(ids.Length, claimed.Count);
        Assert.Equal(ids.Order(StringComparer.Ordinal), claimed.Order(StringComparer.Ordinal));
    }
}
