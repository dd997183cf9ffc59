using TusUpload.Protocol.Storage;

namespace TusUpload.Store.S3;

public sealed partial class S3UploadStore
{
    /// <summary>
    /// S3 refused to assemble the upload because a recorded part is not what S3 holds under its number: a late
    /// request of a writer that lost the upload (a discarded chunk's part in flight, an instance cut off from
    /// PostgreSQL) overwrote it after it was recorded. The bytes from that part on are lost, so the info object goes
    /// back to the parts before it (fenced like every info write) and the client is told to send the rest again.
    /// ListParts tells which part; a service that refuses it costs every recorded part. Returns the error to throw.
    /// </summary>
    private async Task<UploadStoreException> RewindToIntactPartsAsync(
        S3UploadState state,
        UploadStoreException refusal,
        CancellationToken cancellationToken)
    {
        var stored = await bucket.ListPartsAsync(state, cancellationToken);
        var intact = stored is null ? 0 : CountIntactParts(state.Parts, stored);
        if (intact == state.Parts.Count)
        {
            // Every recorded part is there as recorded, so something else made S3 refuse; setting the upload back
            // would not help. Known shortcoming: the upload then stays unassembled, as before this recovery.
            return refusal;
        }

        var recordedOffset = state.Offset;
        var lostPart = state.Parts[intact].Number;
        // An upload is assembled only without an incomplete part, so none is named here. The one the completing
        // chunk started from was dropped by its info write, and the chunk removes that object on disposal; after a
        // crash of that chunk's instance it stays until the upload is removed (a known shortcoming).
        state.Parts = state.Parts[..intact];
        state.IncompleteKey = null;
        state.IncompleteSize = 0;
        state.Assembled = false;
        state.CompletionRecorded = false;
        state.ContentSha256 = null;
        await bucket.WriteStateAsync(state, createOnly: false, cancellationToken);

        S3StoreLog.UploadRewound(logger, state.Id, lostPart, recordedOffset, state.Offset, refusal);
        bucket.Metrics.Rewound();
        return new UploadStoreException(
            UploadStoreError.Rewound,
            $"The stored bytes of upload {state.Id} from offset {state.Offset} were lost and must be sent again.",
            refusal);
    }

    /// <summary>How many recorded parts, from the first on, S3 holds with the recorded ETag and size.</summary>
    private static int CountIntactParts(List<S3Part> recorded, List<S3Part> stored)
    {
        var byNumber = new Dictionary<int, S3Part>(stored.Count);
        foreach (var part in stored)
        {
            byNumber[part.Number] = part;
        }

        var intact = 0;
        foreach (var part in recorded)
        {
            if (!byNumber.TryGetValue(part.Number, out var held)
                || held.Size != part.Size
                || !string.Equals(Unquoted(held.ETag), Unquoted(part.ETag), StringComparison.OrdinalIgnoreCase))
            {
                break;
            }

            intact++;
        }

        return intact;
    }

    private static string Unquoted(string etag) => etag.Trim('"');
}
