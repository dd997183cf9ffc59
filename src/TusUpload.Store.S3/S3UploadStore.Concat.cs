using System.Buffers;
using Amazon.S3.Model;
using TusUpload.Protocol.Storage;

namespace TusUpload.Store.S3;

public sealed partial class S3UploadStore
{
    private const int CopyBufferSize = 256 * 1024;

    public async Task<UploadInfo> ConcatenateAsync(
        UploadInfo final,
        IReadOnlyList<UploadInfo> partials,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(final);
        ArgumentNullException.ThrowIfNull(partials);
        var state = await RequireStateAsync(final.Id, cancellationToken);
        if (state.Assembled)
        {
            return state.ToUploadInfo();
        }

        var sources = new List<S3UploadState>(partials.Count);
        long total = 0;
        foreach (var partial in partials)
        {
            var source = await RequireStateAsync(partial.Id, cancellationToken);
            await AssembleAsync(source, cancellationToken);
            sources.Add(source);
            total += source.Offset;
        }

        if (total > state.MaxBytes)
        {
            throw TooLarge(final.Id, state.MaxBytes);
        }

        state.Length = total;
        if (CanCopyParts(sources))
        {
            await CopyPartsAsync(state, sources, cancellationToken);
            S3StoreLog.Concatenated(logger, final.Id, sources.Count, "UploadPartCopy");
            return state.ToUploadInfo();
        }

        await bucket.WriteStateAsync(state, createOnly: false, cancellationToken);
        var info = await StreamPartialsAsync(state, sources, cancellationToken);
        S3StoreLog.Concatenated(logger, final.Id, sources.Count, "streamed copy");
        return info;
    }

    /// <summary>Server-side copy works only when every partial but the last is a valid non-final part.</summary>
    private bool CanCopyParts(List<S3UploadState> sources)
    {
        var nonEmpty = sources.FindAll(source => source.Offset > 0);
        if (nonEmpty.Count == 0 || nonEmpty.Count > bucket.Settings.MaxParts)
        {
            return false;
        }

        for (var i = 0; i < nonEmpty.Count; i++)
        {
            var size = nonEmpty[i].Offset;
            if (size > S3StoreOptions.MaxPartSizeLimit || (i < nonEmpty.Count - 1 && size < S3StoreOptions.MinPartSize))
            {
                return false;
            }
        }

        return true;
    }

    private async Task CopyPartsAsync(
        S3UploadState state,
        List<S3UploadState> sources,
        CancellationToken cancellationToken)
    {
        if (state.MultipartUploadId is null)
        {
            await StartMultipartAsync(state, cancellationToken);
        }

        state.Parts = [];
        foreach (var source in sources)
        {
            if (source.Offset == 0)
            {
                continue;
            }

            var number = state.Parts.Count + 1;
            var request = new CopyPartRequest
            {
                SourceBucket = bucket.Settings.Bucket,
                SourceKey = bucket.Keys.Content(source.Id),
                DestinationBucket = bucket.Settings.Bucket,
                DestinationKey = bucket.Keys.Content(state.Id),
                UploadId = state.MultipartUploadId,
                PartNumber = number,
            };
            var response = await bucket.CallAsync(
                state.Id,
                token => bucket.SendAsync(
                    S3Operation.UploadPartCopy,
                    inner => bucket.Client.CopyPartAsync(request, inner),
                    token),
                cancellationToken);
            state.Parts.Add(new S3Part(number, response.ETag, source.Offset));
        }

        await bucket.WriteStateAsync(state, createOnly: false, cancellationToken);
        await AssembleAsync(state, cancellationToken);
    }

    /// <summary>Small partials cannot be parts, so their bytes pass through this process into equal parts.</summary>
    private async Task<UploadInfo> StreamPartialsAsync(
        S3UploadState state,
        List<S3UploadState> sources,
        CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            await using var writer = await S3ChunkWriter.OpenAsync(
                this,
                bucket,
                state,
                new ChunkOptions(true, state.Length ?? 0),
                logger,
                cancellationToken);
            foreach (var source in sources)
            {
                await using var content = await bucket.OpenRangeAsync(
                    source.Id,
                    bucket.Keys.Content(source.Id),
                    0,
                    source.Offset,
                    cancellationToken);
                int read;
                while ((read = await content.ReadAsync(buffer.AsMemory(0, CopyBufferSize), cancellationToken)) > 0)
                {
                    await writer.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }

            return await writer.CommitAsync(cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
