namespace TusUpload.Server.IntegrationTests.HostileInput;

/// <summary>
/// One hostile request and the exact status it must get. <c>{U}</c> in the target or headers stands for the path
/// of a reference upload (20 bytes long, 5 stored), <c>{ID}</c> for its id. Headers are raw text, one per line.
/// </summary>
/// <param name="Name">What the request attempts.</param>
/// <param name="Method">The request method.</param>
/// <param name="Target">The request target as sent on the wire.</param>
/// <param name="Headers">Raw header lines, each ending in CRLF (bytes are sent as Latin-1).</param>
/// <param name="Body">Body bytes; Content-Length is added unless the headers set framing.</param>
/// <param name="Status">The exact status code expected.</param>
/// <param name="ByTus">
/// False when HTTP parsing or routing refuses the request before the tus endpoint sees it, so no tus headers.
/// </param>
public sealed record HostileRequest(
    string Name,
    string Method,
    string Target,
    string Headers,
    byte[]? Body,
    int Status,
    bool ByTus = true)
{
    public override string ToString() => Name;
}
