using Microsoft.Extensions.Logging;
using TusUpload.Protocol.Storage;

namespace TusUpload.Store.S3;

/// <summary>
/// Cuts one request body into parts of exactly the upload's part size and uploads each as soon as it is full,
/// while the body keeps arriving. Bytes after the last full part stay in memory until commit, which stores
/// them as the incomplete part (or as the final part when the upload is complete). Memory per request is at
/// most (in-flight parts + 1) part sizes, taken in 1 MiB segments as bytes arrive.
/// </summary>
internal sealed partial class S3ChunkWriter : IChunkWriter
{
    private readonly S3UploadStore _store;
    private readonly S3Bucket _bucket;
    private readonly S3UploadState _state;
    private readonly ChunkOptions _options;
    private readonly ILogger _logger;
    private readonly Queue<PendingPart> _inFlight = new();
    private readonly List<S3Part> _unrecorded = [];
    private readonly CancellationTokenSource _partCancellation = new();
    private readonly string? _originalIncompleteKey;
    private PartBuffer _part;
    private int _nextPartNumber;
    private bool _incompleteConsumed;
    private bool _incompletePartStale;
    private bool _done;

    private S3ChunkWriter(
        S3UploadStore store,
        S3Bucket bucket,
        S3UploadState state,
        ChunkOptions options,
        ILogger logger)
    {
        _store = store;
        _bucket = bucket;
        _state = state;
        _options = options;
        _logger = logger;
        _originalIncompleteKey = state.IncompleteKey;
        _part = new PartBuffer(checked((int)state.PartSize));
        _nextPartNumber = state.Parts.Count + 1;
        StartOffset = state.Offset;
    }

    public long StartOffset { get; }

    public long BytesWritten { get; private set; }

    private int PartSize => (int)_state.PartSize;

    /// <summary>The upload's length as this chunk must respect it: the stored one, or the one it declares.</summary>
    private long? Length => _options.DeclaredLength ?? _state.Length;

    public static async Task<S3ChunkWriter> OpenAsync(
        S3UploadStore store,
        S3Bucket bucket,
        S3UploadState state,
        ChunkOptions options,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        var writer = new S3ChunkWriter(store, bucket, state, options, logger);
        try
        {
            await writer.LoadIncompletePartAsync(cancellationToken);
            return writer;
        }
        catch
        {
            await writer.DisposeAsync();
            throw;
        }
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        var end = StartOffset + BytesWritten + data.Length;
        if (BytesWritten + data.Length > _options.MaxBytes || end > _state.MaxBytes || end > Length)
        {
            throw new UploadStoreException(
                UploadStoreError.LimitExceeded,
                $"Upload {_state.Id} cannot take {data.Length} more bytes at offset {StartOffset + BytesWritten}.");
        }

        while (!data.IsEmpty)
        {
            var taken = _part.Append(data.Span);
            BytesWritten += taken;
            data = data[taken..];

            // The last byte of the upload stays in hand for the commit: an upload of exactly one part is then
            // stored whole by one PutObject rather than as a multipart upload of one part.
            if (_part.Room == 0 && StartOffset + BytesWritten != Length)
            {
                await StartFullPartAsync(cancellationToken);
            }
        }
    }

    public async Task<UploadInfo> CommitAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        while (_inFlight.Count > 0)
        {
            await FinishOldestPartAsync(checkpoint: false, cancellationToken);
        }

        RecordUploadedParts();

        // Only the commit stores a length the chunk declares: until here nothing durable named it, so a chunk
        // that is discarded leaves the length undeclared.
        var declaresLength = _state.Length != Length;
        _state.Length = Length;
        var offset = _state.CommittedPartBytes + _part.Length;
        if (_state.Length is { } length && offset == length)
        {
            await CommitFinalPartAsync(cancellationToken);
        }
        else
        {
            await CommitIncompletePartAsync(declaresLength, cancellationToken);
        }

        _done = true;
        await RemoveStaleIncompletePartAsync();
        S3StoreLog.ChunkCommitted(_logger, _state.Id, _state.Offset, _state.IncompleteSize);
        return _state.ToUploadInfo();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_done && !_options.AllOrNothing)
        {
            await CheckpointFinishedPartsAsync();
        }

        _done = true;
        await RemoveStaleIncompletePartAsync();

        // Parts in flight may finish, within a bound, rather than being cancelled at once: a cancelled request can
        // still land at S3 after the upload's lock is released and overwrite the part that the next writer sends
        // under the same number (the completion then finds it and sets the upload back; moto failed the newer
        // request with a 500). The bound is as long as the S3 client may itself keep sending (see DiscardGrace).
        _partCancellation.CancelAfter(_bucket.Settings.DiscardGrace);
        while (_inFlight.TryDequeue(out var pending))
        {
            try
            {
                await pending.Upload;
            }
            catch (Exception)
            {
                // The part was not recorded, so its failure (or cancellation) changes nothing durable.
            }

            pending.Buffer.Dispose();
        }

        _part.Dispose();

        _partCancellation.Dispose();
    }

    /// <summary>
    /// An abandoned chunk without a checksum keeps every full part that reached S3 (the client was cut off, or
    /// another request asked for the upload); the bytes not yet cut into a part are lost and the client resends.
    /// </summary>
    private async Task CheckpointFinishedPartsAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (_inFlight.Count > 0)
            {
                await FinishOldestPartAsync(checkpoint: false, timeout.Token);
            }

            if (_unrecorded.Count > 0)
            {
                RecordUploadedParts();
                await WriteStateAsync(timeout.Token);
            }
        }
        catch (Exception exception) when (exception is UploadStoreException or OperationCanceledException)
        {
            // Nothing more is durable than the info says; the client's resume finds the recorded offset.
        }
    }

    private async Task LoadIncompletePartAsync(CancellationToken cancellationToken)
    {
        if (_state.IncompleteKey is not { } key)
        {
            return;
        }

        var read = await _bucket.ReadObjectIntoAsync(_state.Id, key, _part, cancellationToken);
        if (read != _state.IncompleteSize)
        {
            throw new UploadStoreException(
                UploadStoreError.Unavailable,
                $"The incomplete part of upload {_state.Id} holds {read} bytes, "
                + $"its info records {_state.IncompleteSize}.");
        }
    }

    private async Task StartFullPartAsync(CancellationToken cancellationToken)
    {
        if (_inFlight.Count >= _bucket.Settings.MaxPartsInFlightPerRequest)
        {
            await FinishOldestPartAsync(checkpoint: !_options.AllOrNothing, cancellationToken);
        }

        if (_state.MultipartUploadId is null)
        {
            await _store.StartMultipartAsync(_state, cancellationToken);
        }

        await _bucket.Settings.PartSlots.WaitAsync(cancellationToken);
        var number = _nextPartNumber++;
        var full = _part;
        var upload = UploadPartAsync(number, full);
        _inFlight.Enqueue(new PendingPart(number, full.Length, full, upload));
        _part = new PartBuffer(PartSize);
    }

    private async Task<string> UploadPartAsync(int number, PartBuffer data)
    {
        try
        {
            var etag = await _bucket.UploadPartAsync(
                _state.Id,
                _state.MultipartUploadId!,
                number,
                data,
                _partCancellation.Token);
            S3StoreLog.PartStored(_logger, _state.Id, number, data.Length);
            return etag;
        }
        finally
        {
            _bucket.Settings.PartSlots.Release();
        }
    }

    private async Task FinishOldestPartAsync(bool checkpoint, CancellationToken cancellationToken)
    {
        // Dequeue only once the upload ended, so that a cancelled wait leaves it for DisposeAsync to reap.
        var pending = _inFlight.Peek();
        var etag = await pending.Upload.WaitAsync(cancellationToken);
        _inFlight.Dequeue();
        pending.Buffer.Dispose();
        _unrecorded.Add(new S3Part(pending.Number, etag, pending.Size));

        if (checkpoint)
        {
            // A chunk without a checksum may keep what arrived: record each finished part so a crash of this
            // instance loses at most the parts still in flight plus the bytes not yet cut into a part.
            RecordUploadedParts();
            await WriteStateAsync(cancellationToken);
        }
    }

    private void RecordUploadedParts()
    {
        if (_unrecorded.Count == 0)
        {
            return;
        }

        _state.Parts.AddRange(_unrecorded);
        _unrecorded.Clear();
        if (!_incompleteConsumed)
        {
            // The first new part began with the incomplete part's bytes, so they now live in that part.
            _incompleteConsumed = true;
            _state.IncompleteKey = null;
            _state.IncompleteSize = 0;
        }
    }
}
