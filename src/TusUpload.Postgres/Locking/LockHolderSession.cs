namespace TusUpload.Postgres.Locking;

/// <summary>The PostgreSQL session that identifies a live instance: its backend pid and start time.</summary>
public sealed record LockHolderSession(int Pid, DateTime Started);
