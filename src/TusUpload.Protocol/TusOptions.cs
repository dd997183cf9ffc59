namespace TusUpload.Protocol;

/// <summary>Settings of the tus endpoint (configuration section <c>Tus</c>).</summary>
public sealed class TusOptions
{
    public const string SectionName = "Tus";

    /// <summary>Path the tus endpoint answers on. Default <c>/files/</c>.</summary>
    public string BasePath { get; set; } = "/files/";
}
