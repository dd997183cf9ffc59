using System.Net.Mime;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;

namespace TusUpload.Pipeline.Messaging.RabbitMq;

/// <summary>Reads and writes the structured-mode CloudEvents JSON that carries an "upload completed" event.</summary>
public static class CompletionEventCodec
{
    /// <summary>CloudEvents type of the event.</summary>
    public const string EventType = "tusupload.upload.completed";

    /// <summary>Content type of a structured-mode CloudEvent in JSON (CloudEvents AMQP binding).</summary>
    public const string ContentType = "application/cloudevents+json; charset=utf-8";

    private static readonly JsonEventFormatter Formatter =
        new(new JsonSerializerOptions(JsonSerializerDefaults.Web), default);
    private static readonly ContentType StructuredJson = new(ContentType);
    private static readonly JsonSerializerOptions DataOptions = new(JsonSerializerDefaults.Web);

    /// <summary>The CloudEvent for <paramref name="completed"/>; its id is the upload id.</summary>
    public static string Encode(UploadCompletedEvent completed)
    {
        ArgumentNullException.ThrowIfNull(completed);

        var cloudEvent = new CloudEvent
        {
            Id = completed.UploadId,
            Type = EventType,
            Source = new Uri("urn:tusupload:server"),
            Subject = completed.UploadId,
            Time = completed.CompletedAt,
            DataContentType = "application/json",
            Data = JsonSerializer.SerializeToElement(completed, DataOptions),
        };
        var body = Formatter.EncodeStructuredModeMessage(cloudEvent, out _);
        return System.Text.Encoding.UTF8.GetString(body.Span);
    }

    /// <summary>Reads the event, or returns false with a reason when the body is not one (a poison message).</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> body, out UploadCompletedEvent? completed, out string? error)
    {
        completed = null;
        try
        {
            var cloudEvent = Formatter.DecodeStructuredModeMessage(body, StructuredJson, extensionAttributes: null);
            if (cloudEvent.Data is not JsonElement data)
            {
                error = "the CloudEvent carries no JSON data";
                return false;
            }

            completed = data.Deserialize<UploadCompletedEvent>(DataOptions);
            if (completed is null || string.IsNullOrWhiteSpace(completed.UploadId))
            {
                completed = null;
                error = "the event data names no upload";
                return false;
            }

            error = null;
            return true;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            error = ex.Message;
            return false;
        }
    }

    /// <summary>The routing key for an outbox event type: the type without the product prefix.</summary>
    public static string RoutingKeyFor(string eventType)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(eventType);

        const string prefix = "tusupload.";
        return eventType.StartsWith(prefix, StringComparison.Ordinal) ? eventType[prefix.Length..] : eventType;
    }
}
