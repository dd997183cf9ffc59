namespace TusUpload.Store.S3;

internal sealed partial class S3ChunkWriter
{
    /// <summary>
    /// The upload reached its length: the bytes in hand become the final part (an empty one when the upload has
    /// no part at all), the info records every part, and only then is the object assembled.
    /// </summary>
    private async Task CommitFinalPartAsync(CancellationToken cancellationToken)
    {
        if (_state.MultipartUploadId is null)
        {
            await CommitWholeObjectAsync(cancellationToken);
            return;
        }

        if (_part.Length > 0 || _state.Parts.Count == 0)
        {
            var number = _nextPartNumber++;
            var etag = await _bucket.UploadPartAsync(
                _state.Id,
                _state.MultipartUploadId!,
                number,
                _part,
                cancellationToken);
            _unrecorded.Add(new S3Part(number, etag, _part.Length));
            RecordUploadedParts();
            _part.Dispose();
        }

        _state.IncompleteKey = null;
        _state.IncompleteSize = 0;
        await WriteStateAsync(cancellationToken);
        await _store.AssembleAsync(_state, cancellationToken);
    }

    /// <summary>
    /// No full part was ever cut (there is no multipart upload), so the whole upload, at most one part, is in hand:
    /// one PutObject stores the final object and one info write records it as its only part, assembled. A crash in
    /// between leaves an object the info does not count; the resumed upload overwrites it when it completes.
    /// </summary>
    private async Task CommitWholeObjectAsync(CancellationToken cancellationToken)
    {
        var content = _bucket.Keys.Content(_state.Id);
        var etag = await _bucket.PutObjectAsync(_state.Id, content, _part, cancellationToken);
        _state.Parts = [new S3Part(1, etag, _part.Length)];
        _state.IncompleteKey = null;
        _state.IncompleteSize = 0;
        _state.Assembled = true;
        _state.ContentSha256 = _part.Sha256Hex();
        _incompleteConsumed = true;
        _part.Dispose();

        await WriteStateAsync(cancellationToken);
        S3StoreLog.StoredAsOneObject(_logger, _state.Id, _state.Offset);
    }

    /// <summary>Bytes after the last full part go to a new incomplete-part object, then the info names it.</summary>
    private async Task CommitIncompletePartAsync(bool declaresLength, CancellationToken cancellationToken)
    {
        if (BytesWritten == 0)
        {
            // No new byte: the incomplete part stays as it is, and only a declared length is left to record.
            if (declaresLength)
            {
                await WriteStateAsync(cancellationToken);
            }

            return;
        }

        if (_part.Length > 0)
        {
            var key = _bucket.Keys.NewIncompletePart(_state.Id);
            await _bucket.PutObjectAsync(_state.Id, key, _part, cancellationToken);
            _state.IncompleteKey = key;
            _state.IncompleteSize = _part.Length;
        }
        else
        {
            _state.IncompleteKey = null;
            _state.IncompleteSize = 0;
        }

        await WriteStateAsync(cancellationToken);
    }

    /// <summary>
    /// Writes the info object (fenced, see <see cref="S3Bucket.WriteStateAsync"/>) and notes when it no longer names
    /// the incomplete part this chunk started from: that object is then stale for good, since no later version can
    /// name it again (every incomplete part gets a fresh key, and every info write builds on the one before).
    /// </summary>
    private async Task WriteStateAsync(CancellationToken cancellationToken)
    {
        await _bucket.WriteStateAsync(_state, createOnly: false, cancellationToken);
        _incompletePartStale |= _originalIncompleteKey is not null && _state.IncompleteKey != _originalIncompleteKey;
    }

    /// <summary>
    /// Removes the incomplete part this chunk started from once a written info no longer names it: after the commit,
    /// and on disposal when the commit failed after that write (an assembly that met an overwritten part and set the
    /// upload back) or a chunk cut off after its first part was recorded. Only that one key, never the upload's
    /// incomplete parts by prefix: with two instances, this one's lease may be taken over right after its write
    /// (cut off from PostgreSQL), and the new holder's incomplete part, which its info names, would go too.
    /// </summary>
    private async Task RemoveStaleIncompletePartAsync()
    {
        if (!_incompletePartStale || _originalIncompleteKey is null)
        {
            return;
        }

        _incompletePartStale = false;
        try
        {
            // Not the request's token: the info write that dropped it is durable, and the cleanup should not be
            // cut short by the request's end.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _bucket.DeleteObjectAsync(_state.Id, _originalIncompleteKey, timeout.Token);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // A leftover helper object wastes space only; termination and expiry remove every one by prefix.
            S3StoreLog.HelperCleanupFailed(_logger, _state.Id, _originalIncompleteKey, exception);
        }
    }
}
