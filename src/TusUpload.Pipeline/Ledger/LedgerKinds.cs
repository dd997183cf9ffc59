namespace TusUpload.Pipeline.Ledger;

/// <summary>Values of <c>Ledger:Kind</c>.</summary>
public static class LedgerKinds
{
    public const string Sqlite = "sqlite";

    public const string Postgres = "postgres";
}
