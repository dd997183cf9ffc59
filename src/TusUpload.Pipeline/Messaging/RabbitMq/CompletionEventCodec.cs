using System.Net.Mime;
using System.Text.Json;
using CloudNative.CloudEvents.SystemTextJson;
using TusUpload.Pipeline.Outbox;

namespace TusUpload.Pipeline.Messaging.RabbitMq;

/// <summary>
/// Reads the structured-mode CloudEvents JSON of an "upload completed" event without throwing, so a consumer can
/// dead-letter a malformed message; writing is the outbox's <see cref="CompletedEventPayload"/>.
/// </summary>
public static class CompletionEventCodec
{
    /// <summary>CloudEvents type of the event.</summary>
    public const string EventType = CompletedEventPayload.EventType;

    /// <summary>Content type of a structured-mode CloudEvent in JSON (CloudEvents AMQP binding).</summary>
    public const string ContentType = "application/cloudevents+json; charset=utf-8";

    private static readonly JsonEventFormatter Formatter =
        new(new JsonSerializerOptions(JsonSerializerDefaults.Web), default);
    private static readonly ContentType StructuredJson = new(ContentType);
    private static readonly JsonSerializerOptions DataOptions = new(JsonSerializerDefaults.Web);

    /// <summary>The CloudEvent for <paramref name="completed"/>, exactly as the outbox stores it.</summary>
    public static string Encode(UploadCompletedEvent completed)
    {
        ArgumentNullException.ThrowIfNull(completed);
        return CompletedEventPayload.Serialize(completed);
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
