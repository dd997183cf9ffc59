using System.Text.RegularExpressions;
using TusUpload.Pipeline;

namespace TusUpload.Server;

/// <summary>
/// Checks the addresses the server is told to listen on (<c>--urls</c>, <c>Urls</c>, <c>ASPNETCORE_URLS</c>)
/// before Kestrel reads them. Kestrel takes a URL it cannot parse (say a port mistyped as letters,
/// <c>http://127.0.0.1:abc</c>) for a host name and then listens on every interface, port 80: a typo must not
/// expose the server.
/// </summary>
public static partial class ListenAddresses
{
    public const string Setting = "Urls";

    public static void Check(string? urls)
    {
        if (string.IsNullOrWhiteSpace(urls))
        {
            return;
        }

        foreach (var address in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // "*" and "+" are Kestrel's spellings of "every interface"; the rest must be a URL with a valid port.
            var concrete = Wildcard().Replace(address, "${scheme}://0.0.0.0");
            if (!Uri.TryCreate(concrete, UriKind.Absolute, out var uri)
                || uri.Scheme is not ("http" or "https")
                || uri.Host.Length == 0)
            {
                throw HostSettings.Refuse(
                    Setting,
                    $"{Setting} entry '{address}' is not an http:// or https:// URL with a host and a valid port.");
            }
        }
    }

    [GeneratedRegex(@"^(?<scheme>[A-Za-z]+)://[*+](?=[:/]|$)")]
    private static partial Regex Wildcard();
}
