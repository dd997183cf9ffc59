namespace TusUpload.Protocol.Parsing;

public enum RangeOutcome
{
    /// <summary>No usable <c>Range</c>: serve the whole content with 200 (RFC 9110 lets a server ignore it).</summary>
    Whole,

    /// <summary>One satisfiable range: 206.</summary>
    Partial,

    /// <summary>A well-formed range that lies outside the content: 416.</summary>
    Unsatisfiable,
}
