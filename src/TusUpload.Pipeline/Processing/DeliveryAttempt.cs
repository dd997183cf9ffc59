using TusUpload.Pipeline.Ledger;

namespace TusUpload.Pipeline.Processing;

/// <summary>
/// What one delivery did that its failure may have to undo: the clean content whose promotion to a blob it began.
/// Set before the promotion starts, since one that throws may still have made the blob (the disk store links the
/// file, then fsyncs its folder, and that can fail).
/// </summary>
internal sealed class DeliveryAttempt
{
    public ContentVerdict? Promoted { get; set; }
}
