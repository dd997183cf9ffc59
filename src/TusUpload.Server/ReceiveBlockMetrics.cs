using System.Diagnostics.Metrics;

namespace TusUpload.Server;

/// <summary>
/// Instruments of the receive pools on the <c>TusUpload</c> meter, over every pool Kestrel made (one per I/O queue
/// and listening socket): how often a block had to be allocated or a small one lent, and how many of each wait for
/// reuse now (read from the <see cref="ReceiveBlockBudget"/> they share).
/// </summary>
internal sealed class ReceiveBlockMetrics
{
    public const string MeterName = "TusUpload";

    public const string Allocated = "tus_receive_blocks_allocated";

    public const string Retained = "tus_receive_blocks_retained";

    public const string SmallLent = "tus_receive_small_blocks_lent";

    public const string SmallRetained = "tus_receive_small_blocks_retained";

    private readonly Counter<long>? _allocated;

    private readonly Counter<long>? _smallLent;

    public ReceiveBlockMetrics(IMeterFactory? meterFactory, ReceiveBlockBudget budget)
    {
        ArgumentNullException.ThrowIfNull(budget);

        var meter = meterFactory?.Create(MeterName);
        _allocated = meter?.CreateCounter<long>(
            Allocated,
            unit: "{block}",
            description: "64 KiB blocks Kestrel's receive pool allocated because none was free for reuse.");
        _smallLent = meter?.CreateCounter<long>(
            SmallLent,
            unit: "{block}",
            description: "4 KiB blocks lent (reused if returned) because 1024 blocks of 64 KiB were out at once.");
        meter?.CreateObservableGauge(
            Retained,
            () => budget.Kept,
            unit: "{block}",
            description: "64 KiB blocks kept for reuse by Kestrel's receive pools (at most 256 in all).");
        meter?.CreateObservableGauge(
            SmallRetained,
            () => budget.SmallKept,
            unit: "{block}",
            description: "4 KiB blocks kept for reuse by Kestrel's receive pools (at most 1024 in all).");
    }

    public void BlockAllocated() => _allocated?.Add(1);

    public void SmallBlockLent() => _smallLent?.Add(1);
}
