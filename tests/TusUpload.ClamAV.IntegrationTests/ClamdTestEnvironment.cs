using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TusUpload.ClamAV.IntegrationTests;

// The real clamd that scripts/services.sh starts. Its endpoint comes from TUS_TEST_CLAMD; without it the tests
// fail rather than skip, so a misconfigured CI run can never pass by testing nothing.
internal static class ClamdTestEnvironment
{
    public const string EndpointVariable = "TUS_TEST_CLAMD";

    /// <summary>StreamMaxLength in the clamd.conf that scripts/services.sh writes.</summary>
    public const long ServerStreamMaxLength = 100L * 1024 * 1024;

    public const string ClamZipPath = "/usr/share/clamav-testfiles/clam.zip";

    public static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    public static ClamdOptions Options()
    {
        var endpoint = Environment.GetEnvironmentVariable(EndpointVariable);
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            Assert.Fail(
                $"{EndpointVariable} is not set. Run the tests with scripts/test.sh, or start the services with " +
                "`bash scripts/services.sh start` and then `eval \"$(bash scripts/services.sh env)\"`.");
        }

        var separator = endpoint.LastIndexOf(':');
        var port = 0;
        if (separator <= 0 || !int.TryParse(endpoint.AsSpan(separator + 1), CultureInfo.InvariantCulture, out port))
        {
            Assert.Fail($"{EndpointVariable} must be host:port, not '{endpoint}'.");
        }

        return new ClamdOptions
        {
            Host = endpoint[..separator],
            Port = port,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            ReadTimeout = TimeSpan.FromSeconds(60),
            MaxStreamLength = ServerStreamMaxLength,
        };
    }

    public static ClamdClient Client(Action<ClamdOptions>? configure = null)
    {
        var options = Options();
        configure?.Invoke(options);
        return new ClamdClient(options);
    }

    // Assembled from pieces so that no file of this repository, source or binary, holds the test string whole.
    public static byte[] Eicar() => Encoding.ASCII.GetBytes(
        string.Concat(@"X5O!P%@AP[4\PZX54(P^)7CC)7}$", "EICAR-STANDARD-ANTIVIRUS-", "TEST-FILE!$H+H*"));

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static int ClosedLoopbackPort()
    {
        // A port that was free a moment ago; nothing of ours listens there afterwards.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static byte[] ClamZip()
    {
        if (!File.Exists(ClamZipPath))
        {
            Assert.Fail($"{ClamZipPath} is missing; scripts/services.sh installs it (package clamav-testfiles).");
        }

        return File.ReadAllBytes(ClamZipPath);
    }
}
