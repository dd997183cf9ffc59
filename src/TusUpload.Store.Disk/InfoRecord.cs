using TusUpload.Protocol.Storage;

namespace TusUpload.Store.Disk;

/// <summary>The newest intact state of an info file that a reader may see, and where it lies in the file.</summary>
/// <param name="Upload">The upload's state.</param>
/// <param name="Sequence">Grows by one with every write; the slot with the higher one is newer.</param>
/// <param name="Slot">0 or 1: which of the two slots holds this state.</param>
/// <param name="SlotBytes">Size of each slot; the file is twice as long.</param>
/// <param name="Unsynced">The state was written without fdatasync (only ever the "completion recorded" flag).</param>
internal readonly record struct InfoRecord(UploadInfo Upload, long Sequence, int Slot, int SlotBytes, bool Unsynced);
