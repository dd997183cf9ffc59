namespace TusUpload.ClamAV;

/// <summary>The result of one scan: Clean, Infected with a signature name, or Error with a reason.</summary>
public sealed record ScanVerdict
{
    private ScanVerdict(ScanOutcome outcome, string? signature, string? reason)
    {
        Outcome = outcome;
        Signature = signature;
        Reason = reason;
    }

    public static ScanVerdict Clean { get; } = new(ScanOutcome.Clean, null, null);

    public ScanOutcome Outcome { get; }

    /// <summary>The signature clamd matched; set only when <see cref="Outcome"/> is Infected.</summary>
    public string? Signature { get; }

    /// <summary>Why there is no conclusion; set only when <see cref="Outcome"/> is Error.</summary>
    public string? Reason { get; }

    public bool IsClean => Outcome == ScanOutcome.Clean;

    public static ScanVerdict Infected(string signature)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(signature);
        return new ScanVerdict(ScanOutcome.Infected, signature, null);
    }

    public static ScanVerdict Error(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new ScanVerdict(ScanOutcome.Error, null, reason);
    }

    public override string ToString() => Outcome switch
    {
        ScanOutcome.Clean => "Clean",
        ScanOutcome.Infected => $"Infected ({Signature})",
        _ => $"Error ({Reason})",
    };
}
