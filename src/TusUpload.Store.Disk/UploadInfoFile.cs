using System.Text.Json;
using TusUpload.Protocol.Storage;

namespace TusUpload.Store.Disk;

/// <summary>
/// The info file's format: two equal, page-aligned slots, each able to hold the whole state (see
/// <see cref="InfoSlot"/>). A change overwrites the slot that does not hold the newest state, so the newest durable
/// state survives a crash in the middle of any write: no temp file, no rename and no folder fsync per change.
/// </summary>
internal static class UploadInfoFile
{
    public const int PageBytes = 4096;

    /// <summary>
    /// Far more than any info file holds (metadata is at most 64 KiB, a slot a few pages), so a longer file is
    /// damage, not a state: it is refused before it is read, where reading it whole took a buffer of up to 2 GiB
    /// per request.
    /// </summary>
    public const int MaxFileBytes = 16 * 1024 * 1024;

    // Room for the state's numbers to grow (offset, a declared length) without a slot ever needing to grow.
    private const int HeadroomBytes = 256;

    public static byte[] Serialize(UploadInfo upload) =>
        JsonSerializer.SerializeToUtf8Bytes(
            UploadInfoDocument.From(upload),
            UploadInfoJsonContext.Default.UploadInfoDocument);

    public static int SlotBytesFor(int payloadBytes)
    {
        var needed = InfoSlot.HeaderBytes + payloadBytes + HeadroomBytes;
        return (needed + PageBytes - 1) / PageBytes * PageBytes;
    }

    /// <summary>
    /// The newest intact slot whose sequence is not <paramref name="hiddenSequence"/> (a write not yet synced).
    /// Null when the file's creation never finished: it is empty, of a length no finished file has, or its first
    /// slot is damaged while the second was never written. Such a file was never acknowledged to anyone. A slot
    /// whose checksum holds but whose state is impossible (unreadable JSON, another upload's id, an offset past
    /// the length) counts as damaged, so the other slot is used.
    /// </summary>
    public static InfoRecord? Decode(
        ReadOnlySpan<byte> file,
        string infoPath,
        long hiddenSequence,
        string? expectedId = null)
    {
        if (file.Length == 0 || file.Length % (2 * PageBytes) != 0)
        {
            return null;
        }

        var slotBytes = file.Length / 2;
        var firstIntact = TryOpen(file, 0, slotBytes, hiddenSequence, out var first);
        var secondIntact = TryOpen(file, 1, slotBytes, hiddenSequence, out var second);

        // The newer slot is parsed first and the older only when the newer's state is impossible: one JSON parse
        // per read, where parsing both cost a second one on every read of every upload.
        var newest = secondIntact && (!firstIntact || second.Sequence > first.Sequence)
            ? Parse(second, 1, slotBytes, infoPath, expectedId) ?? ParseIf(firstIntact, first, 0)
            : ParseIf(firstIntact, first, 0) ?? ParseIf(secondIntact, second, 1);

        if (newest is null && InfoSlot.HasMagic(file[slotBytes..]))
        {
            throw new InvalidDataException($"Info file {infoPath} is damaged: neither of its slots is intact.");
        }

        return newest;

        InfoRecord? ParseIf(bool intact, OpenedSlot slot, int index) =>
            intact ? Parse(slot, index, slotBytes, infoPath, expectedId) : null;
    }

    /// <summary>An intact slot a reader may see: not damaged, not unwritten, not <paramref name="hidden"/>.</summary>
    private static bool TryOpen(ReadOnlySpan<byte> file, int index, int slotBytes, long hidden, out OpenedSlot slot)
    {
        var intact = InfoSlot.TryDecode(
            file.Slice(index * slotBytes, slotBytes),
            out var sequence,
            out var flags,
            out var payload);
        slot = new OpenedSlot(sequence, flags, payload);
        return intact && sequence != hidden;
    }

    private static InfoRecord? Parse(OpenedSlot slot, int index, int slotBytes, string infoPath, string? expectedId) =>
        TryParse(slot.Payload, infoPath, expectedId) is { } upload
            ? new InfoRecord(upload, slot.Sequence, index, slotBytes, (slot.Flags & InfoSlot.FlagUnsynced) != 0)
            : null;

    private static UploadInfo? TryParse(ReadOnlySpan<byte> json, string infoPath, string? expectedId)
    {
        UploadInfo upload;
        try
        {
            upload = Parse(json, infoPath);
        }
        catch (Exception exception) when (exception is JsonException or InvalidDataException)
        {
            return null;
        }

        var possible = (expectedId is null || upload.Id == expectedId)
            && upload.Length is null or >= 0
            && (upload.Length is not { } length || upload.Offset <= length);
        return possible ? upload : null;
    }

    public static UploadInfo Parse(ReadOnlySpan<byte> json, string infoPath)
    {
        var document = JsonSerializer.Deserialize(json, UploadInfoJsonContext.Default.UploadInfoDocument)
            ?? throw new InvalidDataException($"Info file {infoPath} is empty.");

        if (document.Version != 1 || !DiskStoreLayout.IsValidId(document.Id) || document.Offset < 0)
        {
            throw new InvalidDataException($"Info file {infoPath} does not describe an upload.");
        }

        return document.ToUploadInfo();
    }
}
