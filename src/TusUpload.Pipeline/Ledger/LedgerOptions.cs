namespace TusUpload.Pipeline.Ledger;

/// <summary>Where the ledger lives (configuration section <c>Ledger</c>).</summary>
public sealed class LedgerOptions
{
    public const string SectionName = "Ledger";

    /// <summary><c>sqlite</c> (default, embedded) or <c>postgres</c> (uses <c>Postgres:ConnectionString</c>).</summary>
    public string Kind { get; set; } = LedgerKinds.Sqlite;

    /// <summary>SQLite database file. Default <c>./data/ledger.db</c>; its folder is created.</summary>
    public string Path { get; set; } = "./data/ledger.db";

    /// <summary>
    /// How long a relay owns the outbox rows it claimed. A relay that dies leaves its rows to be claimed again once
    /// this passes, so it must comfortably exceed one publish round trip. Default 60 seconds.
    /// </summary>
    public TimeSpan OutboxClaimLease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// SQLite only: the most writes that share one commit (one WAL fsync) when they queue behind a commit in
    /// progress. A lone write never waits for company; 1 turns grouping off. Default 64, allowed 1–1000.
    /// </summary>
    public int MaxWritesPerCommit { get; set; } = 64;

    /// <summary>
    /// SQLite only: how long a write waits for another process's lock on the file (a separate worker, a backup)
    /// before it fails, in whole seconds (rounded up). A creation then answers a retryable 503 within about twice
    /// this, below the 60 s that proxies in front commonly allow. Shorter makes a busy separate worker's and the
    /// relay's writes fail and retry more often (5 s did under CI load). Default 15 seconds, allowed 1 s to 5 min.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long outbox rows are kept after they were marked sent (they show what was published and when); older
    /// ones are deleted a few minutes apart, in bounded batches. Unsent rows are never deleted. Default 7 days,
    /// allowed more than zero up to 100 years.
    /// </summary>
    public TimeSpan SentOutboxRetention { get; set; } = TimeSpan.FromDays(7);
}
