using System.Globalization;
using TusUpload.Protocol.Storage;
using TusUpload.Store.Disk;

namespace TusUpload.Stores.IntegrationTests.Disk;

/// <summary>
/// Entry point of this test assembly. Run as <c>dotnet TusUpload.Stores.IntegrationTests.dll crash-writer
/// ROOT ID SEED LENGTH CHECKPOINT</c> it writes one endless-looking chunk slowly so that a test can kill it.
/// </summary>
public static class CrashWriterProgram
{
    public const string Command = "crash-writer";
    public const string ReadyLine = "writing";

    private const int SliceBytes = 32 * 1024;

    public static async Task<int> Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length != 6 || args[0] != Command)
        {
            await Console.Error.WriteLineAsync($"usage: {Command} ROOT ID SEED LENGTH CHECKPOINT");
            return 2;
        }

        var options = new DiskStoreOptions
        {
            Path = args[1],
            CheckpointBytes = long.Parse(args[5], CultureInfo.InvariantCulture),
        };
        var store = DiskStoreFixture.CreateStore(options);
        var seed = int.Parse(args[3], CultureInfo.InvariantCulture);
        var bytes = TestData.Bytes(int.Parse(args[4], CultureInfo.InvariantCulture), seed);
        var upload = await store.GetAsync(args[2], CancellationToken.None)
            ?? throw new InvalidOperationException($"Upload {args[2]} does not exist.");

        await using var writer = await store.OpenChunkAsync(
            upload,
            new ChunkOptions(AllOrNothing: false, bytes.Length - upload.Offset),
            CancellationToken.None);
        for (var position = (int)upload.Offset; position < bytes.Length; position += SliceBytes)
        {
            var slice = bytes.AsMemory(position, Math.Min(SliceBytes, bytes.Length - position));
            await writer.WriteAsync(slice, CancellationToken.None);
            if (position == upload.Offset)
            {
                Console.WriteLine(ReadyLine);
            }

            // Slow enough that the test's kill lands mid-body, at a random point between checkpoints.
            await Task.Delay(2);
        }

        await writer.CommitAsync(CancellationToken.None);
        return 0;
    }
}
