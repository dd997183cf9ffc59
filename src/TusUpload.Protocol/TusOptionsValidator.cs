using System.Buffers;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Options;
using TusUpload.Protocol.Http;

namespace TusUpload.Protocol;

/// <summary>Rejects a bad <c>Tus</c> section at start-up, naming the setting.</summary>
public sealed class TusOptionsValidator : IValidateOptions<TusOptions>
{
    /// <summary>
    /// The longest wait a .NET timer takes (<see cref="CancellationTokenSource"/>, <see cref="PeriodicTimer"/>):
    /// a longer <c>CommitTimeout</c> failed every commit and removal, a longer <c>SweepInterval</c> stopped the host.
    /// </summary>
    public static readonly TimeSpan LongestTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>
    /// The shortest wait a .NET timer takes: a <see cref="PeriodicTimer"/> refuses less (a shorter
    /// <c>SweepInterval</c> stopped the host with a stack trace), and a cancellation timer rounds less down to zero.
    /// </summary>
    public static readonly TimeSpan ShortestTimer = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// The shortest <c>Tus:CommitTimeout</c>. It bounds a chunk's commit (fdatasyncs that cannot be cancelled, tens to
    /// hundreds of milliseconds on a busy disk), the ledger's record of a completion (a SQLite write queues behind the
    /// one running: 0.3-0.6 s at p99 in a spike before group commit; another process's lock is waited for in whole
    /// seconds, <c>Ledger:BusyTimeout</c>) and a removal with its record. Below this a healthy server answers 503 to
    /// completions it could have recorded, and the client's retry (<c>Retry-After: 1</c>) only brings them back:
    /// with 1 ms, half of ten one-by-one PATCHes of 11 bytes to an idle embedded server answered 503.
    /// </summary>
    public static readonly TimeSpan ShortestCommitTimeout = TimeSpan.FromSeconds(1);

    /// <summary>The longest <c>Tus:Expiry</c>: a century.</summary>
    public static readonly TimeSpan LongestExpiry = TimeSpan.FromDays(36_500);

    /// <summary>
    /// Characters <c>Tus:BasePath</c> may not hold: '?' and '}' stopped the start with a route parser's stack trace;
    /// '#', '?' and '%' change what the <c>Location</c> URL means, so an escape like <c>%20</c> led clients to a
    /// path that answered 404; a backslash turns into '/' in a URL. The path is written decoded (a space as is).
    /// </summary>
    private static readonly SearchValues<char> BasePathRefused = SearchValues.Create("?#%\\{}");

    public ValidateOptionsResult Validate(string? name, TusOptions options)
    {
        var failures = new List<string>();

        if (string.IsNullOrEmpty(options.BasePath)
            || !options.BasePath.StartsWith('/')
            || !options.BasePath.EndsWith('/')
            || options.BasePath.Contains("//", StringComparison.Ordinal)
            || options.BasePath.AsSpan().ContainsAny(BasePathRefused)
            || options.BasePath.Split('/').Any(segment => segment is "." or "..")
            || !IsRoutable(options.BasePath))
        {
            failures.Add(
                "Tus:BasePath must start and end with '/' and contain no '//', '.' or '..' segment, route token "
                + "or any of ? # % \\ { }.");
        }

        if (options.MaxSize < 0)
        {
            failures.Add("Tus:MaxSize must be 0 (no limit) or a positive number of bytes.");
        }

        // An upload's expiry is its creation time plus this: beyond a century that sum would soon be past what a
        // date can hold, and every creation failed with a 500.
        if (options.Expiry < TimeSpan.Zero || options.Expiry > LongestExpiry)
        {
            failures.Add($"Tus:Expiry must be zero (off) or positive and at most {LongestExpiry.Days} days.");
        }

        RequirePositive(options.IdleTimeout, "Tus:IdleTimeout", failures);
        RequirePositive(options.SweepInterval, "Tus:SweepInterval", failures);
        if (options.CommitTimeout < ShortestCommitTimeout || options.CommitTimeout > LongestTimer)
        {
            failures.Add(
                $"Tus:CommitTimeout must be at least {ShortestCommitTimeout} (a shorter bound cuts off healthy commits "
                + $"and ledger records under load) and at most {LongestTimer}.");
        }

        if (options.LockTakeoverTimeout < TimeSpan.Zero || options.LockTakeoverTimeout > LongestTimer)
        {
            failures.Add($"Tus:LockTakeoverTimeout must not be negative and at most {LongestTimer}.");
        }

        if (options.MaxMetadataBytes is < 1 or > 64 * 1024)
        {
            failures.Add("Tus:MaxMetadataBytes must be between 1 and 65536.");
        }

        if (options.ReadBufferSize is < 1024 or > 16 * 1024 * 1024)
        {
            failures.Add("Tus:ReadBufferSize must be between 1024 and 16777216 bytes.");
        }

        if (options.MaxConcatParts < 1)
        {
            failures.Add("Tus:MaxConcatParts must be at least 1.");
        }

        if (options.MaxConcatCopies < 1)
        {
            failures.Add("Tus:MaxConcatCopies must be at least 1.");
        }

        if (options.DownloadRetryAfterSeconds < 1)
        {
            failures.Add("Tus:DownloadRetryAfterSeconds must be at least 1.");
        }

        ValidateOrigins(options.AllowedOrigins, failures);

        foreach (var proxy in options.TrustedProxies ?? [])
        {
            if (!TrustedProxies.TryParse(proxy, out _))
            {
                failures.Add(TrustedProxies.HasBitsPastPrefix(proxy)
                    ? $"Tus:TrustedProxies contains '{proxy}', whose address has bits set past its prefix length; "
                        + "write the network's first address (e.g. 10.0.0.0/8)."
                    : $"Tus:TrustedProxies contains '{proxy}', which is not an IP address or a network "
                        + "(e.g. 10.0.0.0/8).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // The endpoint maps the path as a route pattern at start: what the parser refuses would stop the host there.
    private static bool IsRoutable(string basePath)
    {
        try
        {
            RoutePatternFactory.Parse(basePath + "{**id}");
            return true;
        }
        catch (RoutePatternException)
        {
            return false;
        }
    }

    private static void RequirePositive(TimeSpan value, string setting, List<string> failures)
    {
        if (value < ShortestTimer || value > LongestTimer)
        {
            failures.Add($"{setting} must be at least {ShortestTimer} and at most {LongestTimer}.");
        }
    }

    private static void ValidateOrigins(string[]? origins, List<string> failures)
    {
        foreach (var origin in origins ?? [])
        {
            var wellFormed = origin == "*"
                || (Uri.TryCreate(origin, UriKind.Absolute, out var uri)
                    && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                    && uri.AbsolutePath == "/"
                    && !origin.EndsWith('/'));

            if (!wellFormed)
            {
                failures.Add($"Tus:AllowedOrigins contains '{origin}'; use '*' or 'scheme://host[:port]'.");
            }
        }
    }
}
