using System.IO.Pipelines;

namespace TusUpload.Server;

/// <summary>A connection's input and output as one transport, for a connection that replaces its input.</summary>
internal sealed class ConnectionPipe(PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input { get; } = input;

    public PipeWriter Output { get; } = output;
}
