using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;
using TusUpload.Protocol.Storage;

namespace TusUpload.Store.Disk;

/// <summary>
/// Reads, creates and changes info files (format in <see cref="UploadInfoFile"/>). A durable change overwrites the
/// older slot and fdatasyncs; until that returns, readers of this process keep seeing the previous state, so HEAD
/// never reports an offset whose record could still be lost. Callers hold the upload's write lock for changes.
/// </summary>
internal sealed class UploadInfoFiles(FolderFlushes folders)
{
    // Upload id → sequence of a durable write in flight (or whose fdatasync failed): readers skip that slot.
    private readonly ConcurrentDictionary<string, long> _unconfirmed = new(StringComparer.Ordinal);

    public InfoRecord? Read(string uploadId, string infoPath)
    {
        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(infoPath, FileMode.Open, FileAccess.Read);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (UnauthorizedAccessException exception) when (Directory.Exists(infoPath))
        {
            // A folder where the info file belongs is damage from outside (nothing the store does makes one), not a
            // device that failed: damaged state, answered like an unreadable file, rather than an unknown fault.
            throw new InvalidDataException(
                $"Info file {infoPath} is damaged: a folder stands in its place.",
                exception);
        }

        using (file)
        {
            // A pooled buffer: every request reads the info file, most more than once, and a new array per read was
            // most of what the server allocated in a spike of small uploads.
            var fileBytes = RandomAccess.GetLength(file);
            if (fileBytes > UploadInfoFile.MaxFileBytes)
            {
                throw new InvalidDataException(
                    $"Info file {infoPath} is damaged: {fileBytes} bytes, more than the store ever writes.");
            }

            var length = (int)fileBytes;
            var buffer = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                var bytes = buffer.AsSpan(0, ReadAll(file, buffer.AsSpan(0, length)));

                // Looked up after the bytes were read: a write confirmed in between was synced before its entry went.
                var hidden = _unconfirmed.TryGetValue(uploadId, out var sequence) ? sequence : 0;
                return UploadInfoFile.Decode(bytes, infoPath, hidden, uploadId);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
            }
        }
    }

    /// <summary>Reads until <paramref name="into"/> is full or the file ends; returns the bytes read.</summary>
    private static int ReadAll(SafeFileHandle file, Span<byte> into)
    {
        var filled = 0;
        while (filled < into.Length)
        {
            var read = RandomAccess.Read(file, into[filled..], filled);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }

    /// <summary>Writes a new info file and makes it and its name durable; fails when the file exists.</summary>
    public async Task CreateAsync(string infoPath, UploadInfo upload)
    {
        var payload = UploadInfoFile.Serialize(upload);
        var slotBytes = UploadInfoFile.SlotBytesFor(payload.Length);
        if (2L * slotBytes > UploadInfoFile.MaxFileBytes)
        {
            // Reads refuse a longer file as damaged, so none is ever written (only a host whose header limits were
            // raised far past Kestrel's could send metadata or a list of partials that long).
            throw new UploadStoreException(
                UploadStoreError.LimitExceeded,
                $"The state of upload {upload.Id} is longer than an info file may be.");
        }

        // Both slots are written (the second as zeros) so that later overwrites never allocate blocks. Pooled,
        // like the reads' buffers: one per creation was a steady share of a spike's garbage.
        var buffer = ArrayPool<byte>.Shared.Rent(2 * slotBytes);
        try
        {
            var image = buffer.AsMemory(0, 2 * slotBytes);
            image.Span.Clear();
            InfoSlot.Encode(image.Span[..slotBytes], sequence: 1, flags: 0, payload);

            await DeviceWaits.RunAsync(() => WriteNew(upload.Id, infoPath, image.Span));
        }
        finally
        {
            // Cleared: the pool is the whole process's, and the state holds the client's metadata.
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }

        await folders.FlushAsync(Path.GetDirectoryName(infoPath)!);
    }

    /// <summary>
    /// Replaces <paramref name="current"/> (as read under the write lock) with <paramref name="next"/>. When not
    /// <paramref name="durable"/> the change is written without fdatasync: a crash may undo it, so it is only for
    /// state whose loss is harmless.
    /// </summary>
    public void Save(string uploadId, string infoPath, InfoRecord current, UploadInfo next, bool durable)
    {
        var payload = UploadInfoFile.Serialize(next);
        if (InfoSlot.HeaderBytes + payload.Length > current.SlotBytes)
        {
            // Cannot happen: metadata, concatenation and creation time never change, and what can (offset, a
            // declared length, the completion flag) grows by far less than the slot's headroom.
            throw new InvalidOperationException($"The state of upload {uploadId} outgrew its info slot.");
        }

        var sequence = current.Sequence + 1;
        var record = new byte[InfoSlot.HeaderBytes + payload.Length];
        InfoSlot.Encode(record, sequence, durable ? (ushort)0 : InfoSlot.FlagUnsynced, payload);

        using var file = File.OpenHandle(infoPath, FileMode.Open, FileAccess.Write);

        // The slot about to be overwritten is the only other copy; the newest must be durable before it goes.
        if (current.Unsynced)
        {
            DirectorySync.DataSync(file);
        }

        if (!durable)
        {
            RandomAccess.Write(file, record, (long)(1 - current.Slot) * current.SlotBytes);
            return;
        }

        _unconfirmed[uploadId] = sequence;
        RandomAccess.Write(file, record, (long)(1 - current.Slot) * current.SlotBytes);
        DirectorySync.DataSync(file);

        // On failure the entry stays: this process never shows the write, and the next one overwrites its slot.
        _unconfirmed.TryRemove(KeyValuePair.Create(uploadId, sequence));
    }

    public void Forget(string uploadId) => _unconfirmed.TryRemove(uploadId, out _);

    private void WriteNew(string uploadId, string infoPath, ReadOnlySpan<byte> image)
    {
        using var file = OpenNew(uploadId, infoPath);
        try
        {
            RandomAccess.Write(file, image, fileOffset: 0);
            DirectorySync.DataSync(file);
        }
        catch (Exception exception) when (DiskStoreErrors.IsFileSystemFailure(exception))
        {
            // A creation that could not be made durable is taken back (best effort), so the client's retry under a
            // new id leaves no upload behind that nobody owns; a crash leaves a file that reads as absent at worst.
            DiskStoreErrors.TryDelete(infoPath);
            throw;
        }
    }

    /// <summary>Only a name a readable upload holds is "already exists"; any other failure is the device's.</summary>
    private SafeFileHandle OpenNew(string uploadId, string infoPath)
    {
        try
        {
            return File.OpenHandle(infoPath, FileMode.CreateNew, FileAccess.Write);
        }
        catch (IOException) when (File.Exists(infoPath) && Read(uploadId, infoPath) is not null)
        {
            throw new UploadStoreException(UploadStoreError.AlreadyExists, $"Upload {uploadId} exists already.");
        }
    }
}
