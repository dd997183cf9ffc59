namespace TusUpload.Pipeline.Processing;

/// <summary>
/// The upload cannot be processed right now for a reason outside the message (the scanner, the store or the
/// ledger's database is down). Queues should put the message back without counting it against the delivery limit;
/// the upload stays as it was (received or processing).
/// </summary>
public sealed class ProcessingDeferredException : Exception
{
    public ProcessingDeferredException()
        : base("Processing was deferred.")
    {
    }

    public ProcessingDeferredException(string message)
        : base(message)
    {
    }

    public ProcessingDeferredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
