using System.Text.Json.Serialization;

namespace TusUpload.Store.Disk;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(UploadInfoDocument))]
internal sealed partial class UploadInfoJsonContext : JsonSerializerContext;
