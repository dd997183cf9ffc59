using System.Diagnostics;
using System.Globalization;
using TusUpload.Protocol.Storage;
using TusUpload.Store.Disk;

namespace TusUpload.Stores.IntegrationTests.Disk;

/// <summary>
/// Offset truth under <c>kill -9</c>: a child process writing a chunk is killed at a random instant; afterwards
/// the info offset never exceeds the bytes on disk, those bytes equal the input's prefix, and the upload resumes.
/// </summary>
public sealed class DiskStoreCrashTests(DiskStoreFixture fixture) : IClassFixture<DiskStoreFixture>
{
    private const int UploadBytes = 24 * 1024 * 1024;
    private const int CheckpointBytes = 1024 * 1024;
    private const int Rounds = 6;

    [Fact]
    public async Task Killed_writer_leaves_an_offset_whose_bytes_are_the_input_prefix_and_the_upload_resumes()
    {
        var random = new Random(42);
        var offsets = new List<long>();

        for (var round = 0; round < Rounds; round++)
        {
            var seed = 1000 + round;
            var upload = TestData.Upload(length: UploadBytes);
            await fixture.Store.CreateAsync(upload, CancellationToken.None).WaitAsync(TestData.Timeout);

            await RunAndKillWriterAsync(upload.Id, seed, TimeSpan.FromMilliseconds(random.Next(20, 800)));

            var store = DiskStoreFixture.CreateStore(fixture.Options);
            var durable = (await store.GetAsync(upload.Id, CancellationToken.None).WaitAsync(TestData.Timeout))!;
            var expected = TestData.Bytes(UploadBytes, seed);
            var onDisk = await File.ReadAllBytesAsync(Path.Combine(store.RootPath, upload.Id + ".data"))
                .WaitAsync(TestData.Timeout);
            Assert.InRange(durable.Offset, 0, onDisk.Length);
            Assert.True(
                expected.AsSpan(0, (int)durable.Offset).SequenceEqual(onDisk.AsSpan(0, (int)durable.Offset)),
                $"Round {round}: the first {durable.Offset} bytes on disk differ from the input.");
            offsets.Add(durable.Offset);

            await ResumeAsync(store, durable, expected);
            var completed = await File.ReadAllBytesAsync(Path.Combine(store.RootPath, upload.Id + ".data"))
                .WaitAsync(TestData.Timeout);
            Assert.True(expected.AsSpan().SequenceEqual(completed), $"Round {round}: the resumed upload differs.");
        }

        // The kills must land mid-upload for this test to mean anything.
        Assert.Contains(offsets, offset => offset > 0 && offset < UploadBytes);
    }

    private async Task RunAndKillWriterAsync(string uploadId, int seed, TimeSpan killAfter)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            typeof(CrashWriterProgram).Assembly.Location,
            CrashWriterProgram.Command,
            fixture.Options.Path,
            uploadId,
            seed.ToString(CultureInfo.InvariantCulture),
            UploadBytes.ToString(CultureInfo.InvariantCulture),
            CheckpointBytes.ToString(CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var writer = Process.Start(start)!;
        try
        {
            var line = await writer.StandardOutput.ReadLineAsync().WaitAsync(TestData.Timeout);
            Assert.True(line == CrashWriterProgram.ReadyLine, $"The writer said '{line}': {ErrorsOf(writer)}");

            await Task.Delay(killAfter);
            Assert.False(
                writer.HasExited,
                $"The writer ended before the kill (exit {ExitOf(writer)}): {ErrorsOf(writer)}");
        }
        finally
        {
            writer.Kill(); // SIGKILL on Unix: no finally block, no flush, no dispose runs in the child.
            await writer.WaitForExitAsync().WaitAsync(TestData.Timeout);
        }
    }

    private static async Task ResumeAsync(DiskUploadStore store, UploadInfo durable, byte[] expected)
    {
        await using var writer = await store.OpenChunkAsync(
            durable,
            new ChunkOptions(AllOrNothing: false, expected.Length - durable.Offset),
            CancellationToken.None).WaitAsync(TestData.Timeout);
        await writer.WriteAsync(expected.AsMemory((int)durable.Offset), CancellationToken.None).AsTask()
            .WaitAsync(TestData.Timeout);
        var completed = await writer.CommitAsync(CancellationToken.None).WaitAsync(TestData.Timeout);
        Assert.True(completed.IsComplete);
    }

    private static string ErrorsOf(Process writer) =>
        writer.HasExited ? writer.StandardError.ReadToEnd() : "(still running)";

    private static string ExitOf(Process writer) =>
        writer.HasExited ? writer.ExitCode.ToString(CultureInfo.InvariantCulture) : "none";

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
        : "dotnet";
}
