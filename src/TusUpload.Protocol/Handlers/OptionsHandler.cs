using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using TusUpload.Protocol.Http;
using TusUpload.Protocol.Parsing;

namespace TusUpload.Protocol.Handlers;

/// <summary>
/// "An OPTIONS request MAY be used to gather information about the Server's current configuration."
/// Answers 204 with the version, the enabled extensions, the size limit and the checksum algorithms.
/// </summary>
public sealed class OptionsHandler(IOptions<TusOptions> options)
{
    private readonly string _extensions = options.Value.ExpirationEnabled
        ? "creation,creation-with-upload,creation-defer-length,termination,checksum,checksum-trailer,"
          + "concatenation,expiration"
        : "creation,creation-with-upload,creation-defer-length,termination,checksum,checksum-trailer,"
          + "concatenation";

    public void Handle(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers[TusHeaders.TusVersion] = TusHeaders.Version;
        headers[TusHeaders.TusExtension] = _extensions;
        headers[TusHeaders.TusChecksumAlgorithm] = ChecksumAlgorithm.Advertised;

        if (options.Value.MaxSize > 0)
        {
            headers[TusHeaders.TusMaxSize] = options.Value.MaxSize.ToString(CultureInfo.InvariantCulture);
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }
}
