using TusUpload.Protocol.Lifecycle;
using TusUpload.Protocol.Storage;

namespace TusUpload.Protocol.Tests.Handlers;

/// <summary>
/// A lifecycle that only remembers which uploads it was told were created, completed, terminated, abandoned or
/// expired. Like the SQLite ledger, it refuses a completion, termination or expiry whose token is cancelled already,
/// so a record attempted on a spent token is not counted. It can fail its first termination or expiry records (a
/// ledger outage) and report a state for uploads it has no end for.
/// </summary>
internal sealed class RecordingLifecycle : IUploadLifecycle
{
    public List<string> Created { get; } = [];

    public List<string> Completed { get; } = [];

    public List<string> Terminated { get; } = [];

    public List<string> Expired { get; } = [];

    public List<string> Abandoned { get; } = [];

    /// <summary>How many of the next termination or expiry records fail.</summary>
    public int FailingRecords { get; set; }

    /// <summary>The state reported for an upload with no recorded end; null: the lifecycle does not know it.</summary>
    public string? LiveState { get; set; }

    public Task TerminatedAsync(string uploadId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        FailIfAsked();
        Terminated.Add(uploadId);
        return Task.CompletedTask;
    }

    public Task CreatedAsync(UploadInfo upload, CancellationToken cancellationToken)
    {
        Created.Add(upload.Id);
        return Task.CompletedTask;
    }

    public Task ReceivingAsync(UploadInfo upload, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task CompletedAsync(UploadInfo upload, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Completed.Add(upload.Id);
        return Task.CompletedTask;
    }

    public Task ExpiredAsync(string uploadId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        FailIfAsked();
        Expired.Add(uploadId);
        return Task.CompletedTask;
    }

    public Task AbandonedAsync(string uploadId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        FailIfAsked();
        Abandoned.Add(uploadId);
        return Task.CompletedTask;
    }

    public Task<UploadProcessingStatus?> GetStatusAsync(string uploadId, CancellationToken cancellationToken)
    {
        var state = Terminated.Contains(uploadId) || Abandoned.Contains(uploadId) ? "terminated"
            : Expired.Contains(uploadId) ? "expired"
            : LiveState;
        return Task.FromResult(state is null ? null : new UploadProcessingStatus(state, false, null));
    }

    private void FailIfAsked()
    {
        if (FailingRecords > 0)
        {
            FailingRecords--;
            throw new InvalidOperationException("The ledger is unreachable.");
        }
    }
}
