namespace TusUpload.Store.Disk;

/// <summary>A slot whose header and checksum held, before its JSON is parsed: a view into the bytes read.</summary>
internal readonly ref struct OpenedSlot(long sequence, ushort flags, ReadOnlySpan<byte> payload)
{
    public long Sequence { get; } = sequence;

    public ushort Flags { get; } = flags;

    public ReadOnlySpan<byte> Payload { get; } = payload;
}
