namespace TusUpload.Pipeline.Ledger;

/// <summary>Who the audit trail names for a change: the part of the system and the machine it ran on.</summary>
public static class LedgerActors
{
    public static readonly string Server = $"server@{Environment.MachineName}";

    public static readonly string Worker = $"worker@{Environment.MachineName}";
}
