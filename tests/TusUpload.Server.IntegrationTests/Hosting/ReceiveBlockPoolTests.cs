namespace TusUpload.Server.IntegrationTests.Hosting;

/// <summary>The pool Kestrel receives into: 64 KiB blocks, reused, with a bounded number kept.</summary>
public sealed class ReceiveBlockPoolTests
{
    [Fact]
    public void A_rented_block_is_64_KiB_whatever_was_asked_for()
    {
        using var pool = new ReceiveBlockPool();

        using var small = pool.Rent(1);
        using var unspecified = pool.Rent();

        Assert.Equal(64 * 1024, pool.MaxBufferSize);
        Assert.Equal(64 * 1024, small.Memory.Length);
        Assert.Equal(64 * 1024, unspecified.Memory.Length);
    }

    [Fact]
    public void A_returned_block_is_lent_again_instead_of_a_new_one()
    {
        using var pool = new ReceiveBlockPool();
        var first = pool.Rent();
        var memory = first.Memory;

        first.Dispose();
        using var second = pool.Rent();

        Assert.Same(first, second);
        Assert.True(memory.Span.Overlaps(second.Memory.Span));
        Assert.Equal(0, pool.RetainedCount);
    }

    [Fact]
    public void At_most_256_returned_blocks_are_kept()
    {
        using var pool = new ReceiveBlockPool();
        var blocks = Enumerable.Range(0, ReceiveBlockPool.MaxRetainedBlocks + 44).Select(_ => pool.Rent()).ToList();

        Parallel.ForEach(blocks, block => block.Dispose());

        Assert.Equal(ReceiveBlockPool.MaxRetainedBlocks, pool.RetainedCount);
    }

    [Fact]
    public void Beyond_1024_large_blocks_out_at_once_the_pool_lends_4_KiB_blocks_and_reuses_them()
    {
        using var pool = new ReceiveBlockPool();
        var large = Enumerable.Range(0, ReceiveBlockPool.MaxLentBlocks).Select(_ => pool.Rent()).ToList();

        var small = pool.Rent(4096);
        var largeAskedFor = pool.Rent(8192);
        small.Dispose();
        var keptSmall = pool.RetainedSmallCount;
        using var smallAgain = pool.Rent();
        largeAskedFor.Dispose();
        large[0].Dispose();
        using var again = pool.Rent();

        Assert.All(large, block => Assert.Equal(64 * 1024, block.Memory.Length));
        Assert.Equal(4 * 1024, small.Memory.Length);
        Assert.Equal(1, keptSmall);
        Assert.Same(small, smallAgain);
        Assert.Equal(64 * 1024, largeAskedFor.Memory.Length);
        Assert.Same(large[0], again);
        Assert.Equal(ReceiveBlockPool.MaxLentBlocks, pool.LentCount);
        Assert.Equal(0, pool.RetainedCount);
        Assert.Equal(0, pool.RetainedSmallCount);
        Assert.Throws<InvalidOperationException>(largeAskedFor.Dispose);
    }

    [Fact]
    public void At_most_1024_returned_4_KiB_blocks_are_kept_over_every_pool_the_factory_made_for_Kestrel()
    {
        var factory = NewFactory();
        var pools = Enumerable.Range(0, 2).Select(_ => (ReceiveBlockPool)factory.Create()).ToList();
        var large = Enumerable.Range(0, ReceiveBlockPool.MaxLentBlocks).Select(_ => pools[0].Rent()).ToList();
        var small = Enumerable.Range(0, ReceiveBlockPool.MaxRetainedSmallBlocks + 100)
            .Select(i => pools[i % 2].Rent())
            .ToList();

        Parallel.ForEach(small, block => block.Dispose());

        Assert.All(small, block => Assert.Equal(4 * 1024, block.Memory.Length));
        Assert.Equal(ReceiveBlockPool.MaxRetainedSmallBlocks, pools.Sum(pool => pool.RetainedSmallCount));
        large.ForEach(block => block.Dispose());
        pools.ForEach(pool => pool.Dispose());
    }

    [Fact]
    public void The_1024_block_bound_holds_over_every_pool_the_factory_made_for_Kestrel()
    {
        // Kestrel's socket transport asks for one pool per I/O queue (one per core) and per listening socket.
        var factory = NewFactory();
        using var first = (ReceiveBlockPool)factory.Create();
        using var second = (ReceiveBlockPool)factory.Create();
        var large = Enumerable.Range(0, ReceiveBlockPool.MaxLentBlocks).Select(_ => first.Rent()).ToList();

        var overTheBound = second.Rent(4096);
        large[0].Dispose();
        var afterOneCameBack = second.Rent(4096);

        Assert.Equal(4 * 1024, overTheBound.Memory.Length);
        Assert.Equal(64 * 1024, afterOneCameBack.Memory.Length);
        Assert.Equal(ReceiveBlockPool.MaxLentBlocks, second.LentCount);
        overTheBound.Dispose();
        afterOneCameBack.Dispose();
        large.Skip(1).ToList().ForEach(block => block.Dispose());
        Assert.Equal(0, first.LentCount);
    }

    [Fact]
    public void At_most_256_blocks_are_kept_over_every_pool_the_factory_made_for_Kestrel()
    {
        var factory = NewFactory();
        using var first = (ReceiveBlockPool)factory.Create();
        using var second = (ReceiveBlockPool)factory.Create();
        var fromFirst = Enumerable.Range(0, ReceiveBlockPool.MaxRetainedBlocks).Select(_ => first.Rent()).ToList();
        var fromSecond = Enumerable.Range(0, 10).Select(_ => second.Rent()).ToList();

        fromFirst.ForEach(block => block.Dispose());
        fromSecond.ForEach(block => block.Dispose());
        using var reused = first.Rent();
        var keptAfterOneWasReused = first.RetainedCount + second.RetainedCount;

        Assert.Equal(ReceiveBlockPool.MaxRetainedBlocks - 1, first.RetainedCount);
        Assert.Equal(0, second.RetainedCount);
        Assert.Equal(ReceiveBlockPool.MaxRetainedBlocks - 1, keptAfterOneWasReused);
    }

    [Fact]
    public void Disposing_a_pool_frees_its_share_of_the_kept_blocks_for_the_other_pools()
    {
        var factory = NewFactory();
        var first = (ReceiveBlockPool)factory.Create();
        using var second = (ReceiveBlockPool)factory.Create();
        var fromFirst = Enumerable.Range(0, ReceiveBlockPool.MaxRetainedBlocks).Select(_ => first.Rent()).ToList();
        var fromSecond = second.Rent();
        fromFirst.ForEach(block => block.Dispose());

        first.Dispose();
        fromSecond.Dispose();

        Assert.Equal(0, first.RetainedCount);
        Assert.Equal(1, second.RetainedCount);
    }

    [Fact]
    public void A_request_for_more_than_a_block_is_refused()
    {
        using var pool = new ReceiveBlockPool();

        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent((64 * 1024) + 1));
    }

    [Fact]
    public void Returning_a_block_twice_is_refused_so_two_owners_never_share_it()
    {
        using var pool = new ReceiveBlockPool();
        var block = pool.Rent();
        block.Dispose();

        Assert.Throws<InvalidOperationException>(block.Dispose);
        Assert.Equal(1, pool.RetainedCount);
    }

    [Fact]
    public void A_disposed_pool_lends_nothing_and_keeps_nothing()
    {
        var pool = new ReceiveBlockPool();
        var block = pool.Rent();
        var overTheBound = new ReceiveBlockPool(budget: new ReceiveBlockBudget(0, 0, smallKeptLimit: 10));
        var small = overTheBound.Rent();

        pool.Dispose();
        block.Dispose();
        overTheBound.Dispose();
        small.Dispose();

        Assert.Equal(0, pool.RetainedCount);
        Assert.Equal(4 * 1024, small.Memory.Length);
        Assert.Equal(0, overTheBound.RetainedSmallCount);
        Assert.Throws<ObjectDisposedException>(() => pool.Rent());
    }

    /// <summary>A factory as the server builds it: one budget for every pool it makes.</summary>
    private static ReceiveBlockPoolFactory NewFactory()
    {
        var budget = ReceiveBlockBudget.Default();
        return new ReceiveBlockPoolFactory(new ReceiveBlockMetrics(meterFactory: null, budget), budget);
    }
}
