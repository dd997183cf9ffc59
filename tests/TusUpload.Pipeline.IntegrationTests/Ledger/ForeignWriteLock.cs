using Microsoft.Data.Sqlite;

namespace TusUpload.Pipeline.IntegrationTests.Ledger;

/// <summary>
/// Another connection holding a SQLite file's write lock until disposed, as a backup tool or a separate worker's
/// would: the ledger's writes wait out its busy timeout and fail, while reads still work (WAL).
/// </summary>
internal static class ForeignWriteLock
{
    public static async Task<SqliteConnection> TakeAsync(string databasePath)
    {
        var foreign = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        try
        {
            await foreign.OpenAsync().WaitAsync(LedgerTestData.Wait);
            await using var exclusive = foreign.CreateCommand();
            exclusive.CommandText = "BEGIN EXCLUSIVE";
            await exclusive.ExecuteNonQueryAsync().WaitAsync(LedgerTestData.Wait);
            return foreign;
        }
        catch
        {
            await foreign.DisposeAsync();
            throw;
        }
    }
}
