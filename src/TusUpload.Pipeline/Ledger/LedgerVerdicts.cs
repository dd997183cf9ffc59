namespace TusUpload.Pipeline.Ledger;

/// <summary>
/// How a <see cref="ContentVerdict"/> is stored: <c>clean</c>, or <c>infected: &lt;signature&gt;</c>. "clean" means
/// the scanner found nothing, or scanning is switched off (<c>ClamAV:Enabled</c>); the ledger cannot tell these apart.
/// </summary>
public static class LedgerVerdicts
{
    public const string Clean = "clean";

    public static string ToText(ContentVerdict verdict) =>
        verdict.Infected ? $"infected: {verdict.Signature ?? "unnamed signature"}" : Clean;
}
