using TusUpload.Protocol.Storage;
using TusUpload.Store.Disk;

namespace TusUpload.Stores.IntegrationTests.Disk;

/// <summary>
/// Which slot of an info file a read returns, for every pairing of slot contents and hidden sequence, against the
/// rule the format promises: of the intact, visible slots whose state is possible, the one with the higher
/// sequence (the first on a tie); when there is none, damaged if the second slot was ever written, else absent.
/// </summary>
public sealed class InfoFileDecodeTests
{
    private const int SlotBytes = UploadInfoFile.PageBytes;

    private static readonly UploadInfo s_upload = TestData.Upload(length: 10);

    // Each kind of slot content: whether a reader can use it at all, and its sequence when it was written whole.
    private static readonly SlotKind[] s_kinds =
    [
        new("unwritten", Sequence: null, Possible: false),
        new("torn", Sequence: null, Possible: false),
        new("good 1", Sequence: 1, Possible: true),
        new("good 2", Sequence: 2, Possible: true),
        new("good 3", Sequence: 3, Possible: true),
        new("offset past length 2", Sequence: 2, Possible: false),
        new("other id 3", Sequence: 3, Possible: false),
        new("not json 1", Sequence: 1, Possible: false),
    ];

    public static TheoryData<string, string, long> Cases()
    {
        var cases = new TheoryData<string, string, long>();
        foreach (var first in s_kinds)
        {
            foreach (var second in s_kinds)
            {
                foreach (var hidden in new long[] { 0, 1, 2, 3 })
                {
                    cases.Add(first.Name, second.Name, hidden);
                }
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_read_returns_the_newest_visible_possible_slot(string first, string second, long hidden)
    {
        var kinds = new[] { Kind(first), Kind(second) };
        var file = new byte[2 * SlotBytes];
        Write(file.AsSpan(0, SlotBytes), kinds[0], offset: 1);
        Write(file.AsSpan(SlotBytes, SlotBytes), kinds[1], offset: 2);

        var expected = Expected(kinds, hidden);
        if (expected == Outcome.Damaged)
        {
            Assert.Throws<InvalidDataException>(() => UploadInfoFile.Decode(file, "test", hidden, s_upload.Id));
            return;
        }

        var read = UploadInfoFile.Decode(file, "test", hidden, s_upload.Id);

        Assert.Equal(
            expected,
            read switch
            {
                null => Outcome.Absent,
                { Slot: 0 } => Outcome.First,
                _ => Outcome.Second,
            });
        if (read is { } record)
        {
            Assert.Equal(kinds[record.Slot].Sequence, record.Sequence);
            Assert.Equal(record.Slot + 1, record.Upload.Offset);
            Assert.NotEqual(hidden, record.Sequence);
        }
    }

    private static Outcome Expected(SlotKind[] kinds, long hidden)
    {
        var best = -1;
        for (var slot = 0; slot < 2; slot++)
        {
            var kind = kinds[slot];
            if (kind.Possible && kind.Sequence != hidden && (best < 0 || kind.Sequence > kinds[best].Sequence))
            {
                best = slot;
            }
        }

        return best switch
        {
            0 => Outcome.First,
            1 => Outcome.Second,
            _ => kinds[1].Name == "unwritten" ? Outcome.Absent : Outcome.Damaged,
        };
    }

    private static void Write(Span<byte> slot, SlotKind kind, long offset)
    {
        var upload = s_upload with { Offset = offset };
        switch (kind.Name)
        {
            case "unwritten":
                return;
            case "torn":
                InfoSlot.Encode(slot, 4, 0, UploadInfoFile.Serialize(upload));
                slot[InfoSlot.HeaderBytes + 1] ^= 0x5A;
                return;
            case { } name when name.StartsWith("offset past length", StringComparison.Ordinal):
                upload = upload with { Offset = 500 };
                break;
            case { } name when name.StartsWith("other id", StringComparison.Ordinal):
                upload = upload with { Id = TestData.NewId() };
                break;
            case { } name when name.StartsWith("not json", StringComparison.Ordinal):
                InfoSlot.Encode(slot, kind.Sequence!.Value, 0, "{\"version\":"u8);
                return;
        }

        InfoSlot.Encode(slot, kind.Sequence!.Value, 0, UploadInfoFile.Serialize(upload));
    }

    private static SlotKind Kind(string name) => Array.Find(s_kinds, kind => kind.Name == name)!;

    private enum Outcome
    {
        Absent,
        Damaged,
        First,
        Second,
    }

    private sealed record SlotKind(string Name, long? Sequence, bool Possible);
}
