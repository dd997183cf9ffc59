namespace TusUpload.Protocol.Parsing;

/// <summary>One satisfiable byte range of a representation: <see cref="Start"/> and <see cref="Length"/>.</summary>
public readonly record struct ByteRange(long Start, long Length)
{
    public long End => Start + Length - 1;
}
