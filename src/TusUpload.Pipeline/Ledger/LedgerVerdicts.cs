namespace TusUpload.Pipeline.Ledger;

/// <summary>
/// How a <see cref="ContentVerdict"/> is stored: <c>clean</c> (the scanner found nothing), <c>unscanned</c>
/// (scanning is switched off with <c>ClamAV:Enabled</c>), or <c>infected: &lt;signature&gt;</c>.
/// </summary>
public static class LedgerVerdicts
{
    public const string Clean = "clean";

    public const string Unscanned = "unscanned";

    public static string ToText(ContentVerdict verdict) =>
        verdict.Infected ? $"infected: {verdict.Signature ?? "unnamed signature"}"
        : verdict.Scanned ? Clean
        : Unscanned;
}
