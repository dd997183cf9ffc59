namespace TusUpload.Server;

/// <summary>Settings of the server process itself (configuration section <c>Server</c>).</summary>
public sealed class ServerHostingOptions
{
    public const string SectionName = "Server";

    /// <summary>How long a stopping server lets in-flight requests finish and save. Default 30 seconds.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
