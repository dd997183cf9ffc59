using System.Buffers.Binary;
using System.IO.Hashing;

namespace TusUpload.Store.Disk;

/// <summary>
/// One of the two slots of an info file: a 32-byte header (magic, format, flags, sequence, payload length, CRC-32 of
/// everything after the magic) and the JSON document. The CRC makes a torn write visible, so a reader falls back to
/// the other slot, which still holds the previous durable state.
/// </summary>
internal static class InfoSlot
{
    public const int HeaderBytes = 32;

    public const ushort Format = 2;

    /// <summary>Set on a slot that was written without fdatasync; the next durable write syncs it first.</summary>
    public const ushort FlagUnsynced = 1;

    private const uint Magic = 0x49535554; // "TUSI" read as little-endian

    public static void Encode(Span<byte> slot, long sequence, ushort flags, ReadOnlySpan<byte> payload)
    {
        if (slot.Length < HeaderBytes + payload.Length)
        {
            throw new ArgumentException("The payload does not fit in the slot.", nameof(payload));
        }

        BinaryPrimitives.WriteUInt32LittleEndian(slot, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(slot[4..], Format);
        BinaryPrimitives.WriteUInt16LittleEndian(slot[6..], flags);
        BinaryPrimitives.WriteInt64LittleEndian(slot[8..], sequence);
        BinaryPrimitives.WriteInt32LittleEndian(slot[16..], payload.Length);
        slot[24..HeaderBytes].Clear();
        payload.CopyTo(slot[HeaderBytes..]);
        BinaryPrimitives.WriteUInt32LittleEndian(slot[20..], Checksum(slot, payload.Length));
    }

    /// <summary>True when <paramref name="slot"/> holds a whole, undamaged record.</summary>
    public static bool TryDecode(
        ReadOnlySpan<byte> slot,
        out long sequence,
        out ushort flags,
        out ReadOnlySpan<byte> payload)
    {
        sequence = 0;
        flags = 0;
        payload = default;
        if (!HasMagic(slot) || BinaryPrimitives.ReadUInt16LittleEndian(slot[4..]) != Format)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(slot[16..]);
        if (length < 0 || length > slot.Length - HeaderBytes)
        {
            return false;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(slot[20..]) != Checksum(slot, length))
        {
            return false;
        }

        sequence = BinaryPrimitives.ReadInt64LittleEndian(slot[8..]);
        flags = BinaryPrimitives.ReadUInt16LittleEndian(slot[6..]);
        payload = slot.Slice(HeaderBytes, length);
        return true;
    }

    /// <summary>True when a write of this slot at least began (a never-written slot is all zeros).</summary>
    public static bool HasMagic(ReadOnlySpan<byte> slot) =>
        slot.Length >= HeaderBytes && BinaryPrimitives.ReadUInt32LittleEndian(slot) == Magic;

    private static uint Checksum(ReadOnlySpan<byte> slot, int payloadLength)
    {
        var crc = new Crc32();
        crc.Append(slot[4..20]);
        crc.Append(slot.Slice(HeaderBytes, payloadLength));
        return crc.GetCurrentHashAsUInt32();
    }
}
