using System.Text.Json.Serialization;

namespace TusUpload.Store.S3;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    IgnoreReadOnlyProperties = true)]
[JsonSerializable(typeof(S3UploadState))]
internal sealed partial class S3JsonContext : JsonSerializerContext;
