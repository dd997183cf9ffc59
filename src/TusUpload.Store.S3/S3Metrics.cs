using System.Diagnostics.Metrics;

namespace TusUpload.Store.S3;

/// <summary>
/// Instruments of the S3 store on the <c>TusUpload</c> meter; none without a meter factory. Labels are the S3
/// operation (<see cref="S3Operation"/>), the outcome class (<see cref="S3Faults.Outcome"/>) and for bytes which
/// kind of object they belong to: never a key or an upload id, so the number of series stays bounded.
/// </summary>
public sealed class S3Metrics
{
    public const string MeterName = "TusUpload";

    public const string Requests = "tus_s3_requests_total";

    public const string RequestDuration = "tus_s3_request_duration_seconds";

    public const string BytesSent = "tus_s3_bytes_sent_total";

    public const string BytesReceived = "tus_s3_bytes_received_total";

    public const string Retries = "tus_s3_retries_total";

    public const string Rewinds = "tus_s3_uploads_rewound_total";

    /// <summary>The <c>object</c> label of uploads' content bytes: parts, incomplete parts, objects, blobs.</summary>
    public const string ContentObject = "content";

    /// <summary>The <c>object</c> label of bytes of info objects (the uploads' JSON state).</summary>
    public const string InfoObject = "info";

    private readonly Counter<long>? _requests;
    private readonly Histogram<double>? _duration;
    private readonly Counter<long>? _bytesSent;
    private readonly Counter<long>? _bytesReceived;
    private readonly Counter<long>? _retries;
    private readonly Counter<long>? _rewinds;

    public S3Metrics(IMeterFactory? meterFactory)
    {
        var meter = meterFactory?.Create(MeterName);
        _requests = meter?.CreateCounter<long>(
            Requests,
            unit: "{request}",
            description: "S3 requests the store sent, by operation and outcome (ok or the class of the failure).");
        _duration = meter?.CreateHistogram<double>(
            RequestDuration,
            unit: "s",
            description: "Time of one S3 request until its response (SDK retries included), by operation.");
        _bytesSent = meter?.CreateCounter<long>(
            BytesSent,
            unit: "By",
            description: "Payload bytes of S3 writes that succeeded, by operation and object kind.");
        _bytesReceived = meter?.CreateCounter<long>(
            BytesReceived,
            unit: "By",
            description: "Payload bytes read from S3 responses, by operation and object kind.");
        _retries = meter?.CreateCounter<long>(
            Retries,
            unit: "{retry}",
            description: "S3 requests the SDK sent again after a failed attempt (Store:S3:MaxRetries), by operation.");
        _rewinds = meter?.CreateCounter<long>(
            Rewinds,
            unit: "{upload}",
            description: "Uploads set back to their intact parts because S3 no longer held a recorded part.");
    }

    /// <summary>A metrics object that records nothing, for stores built without a meter factory.</summary>
    public static S3Metrics None { get; } = new(null);

    public bool Enabled => _requests is not null;

    public void Requested(string operation, string outcome, TimeSpan duration)
    {
        if (_requests is null || _duration is null)
        {
            return;
        }

        _requests.Add(
            1,
            new KeyValuePair<string, object?>("operation", operation),
            new KeyValuePair<string, object?>("outcome", outcome));
        _duration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("operation", operation));
    }

    public void Sent(string operation, string objectKind, long bytes) =>
        _bytesSent?.Add(
            bytes,
            new KeyValuePair<string, object?>("operation", operation),
            new KeyValuePair<string, object?>("object", objectKind));

    public void Received(string operation, string objectKind, long bytes) =>
        _bytesReceived?.Add(
            bytes,
            new KeyValuePair<string, object?>("operation", operation),
            new KeyValuePair<string, object?>("object", objectKind));

    public void Retried(string operation) =>
        _retries?.Add(1, new KeyValuePair<string, object?>("operation", operation));

    public void Rewound() => _rewinds?.Add(1);
}
