using System.Net.Mime;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using TusUpload.Pipeline.Messaging;

namespace TusUpload.Pipeline.Outbox;

/// <summary>The CloudEvents JSON (structured mode) that the outbox stores and the relay publishes unchanged.</summary>
public static class CompletedEventPayload
{
    public const string EventType = "tusupload.upload.completed";

    public static readonly Uri Source = new("/tusupload", UriKind.Relative);

    private static readonly JsonSerializerOptions DataOptions = new(JsonSerializerDefaults.Web);

    private static readonly JsonEventFormatter Formatter = new(DataOptions, new JsonDocumentOptions());

    public static string Serialize(UploadCompletedEvent completed)
    {
        var cloudEvent = new CloudEvent
        {
            Id = completed.UploadId,
            Type = EventType,
            Source = Source,
            Time = completed.CompletedAt,
            DataContentType = MediaTypeNames.Application.Json,
            Subject = completed.UploadId,
            Data = completed,
        };

        var body = Formatter.EncodeStructuredModeMessage(cloudEvent, out _);
        return System.Text.Encoding.UTF8.GetString(body.Span);
    }

    public static UploadCompletedEvent Deserialize(string payload)
    {
        var cloudEvent = Formatter.DecodeStructuredModeMessage(
            System.Text.Encoding.UTF8.GetBytes(payload),
            new System.Net.Mime.ContentType("application/cloudevents+json"),
            extensionAttributes: null);

        if (cloudEvent.Data is not JsonElement data)
        {
            throw new FormatException($"CloudEvent {cloudEvent.Id} carries no JSON data.");
        }

        return data.Deserialize<UploadCompletedEvent>(DataOptions)
            ?? throw new FormatException($"CloudEvent {cloudEvent.Id} carries null data.");
    }
}
