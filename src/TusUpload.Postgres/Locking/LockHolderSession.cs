namespace TusUpload.Postgres.Locking;

/// <summary>
/// The PostgreSQL session that identifies a live instance: its backend pid and start time (for people reading the
/// lease table) and the key of the advisory lock it holds while it lives (for other instances, through pg_locks).
/// </summary>
public sealed record LockHolderSession(int Pid, DateTime Started, int Key)
{
    /// <summary>
    /// First half of every holder's two-part advisory lock key ("tus1"), apart from other users' keys.
    /// </summary>
    public const int KeyNamespace = 0x74757331;
}
