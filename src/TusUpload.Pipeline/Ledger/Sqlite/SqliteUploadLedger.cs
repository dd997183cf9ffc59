using System.Data.Common;
using System.Diagnostics.Metrics;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TusUpload.Pipeline.Ledger.Sqlite;

/// <summary>
/// The embedded ledger: one SQLite file in WAL mode. Writes inside this process queue and run one after another in
/// <c>BEGIN IMMEDIATE</c> transactions, so a transition's read and update can never interleave with another's;
/// writes that queue while a commit runs share the next transaction and its one fsync (see
/// <see cref="SqliteGroupCommit"/>). A second process on the same file (a separate worker) waits on SQLite's busy
/// timeout instead. The transactions run on one connection kept open for them (see
/// <see cref="SqliteWriteConnection"/>).
/// </summary>
public sealed class SqliteUploadLedger : SqlUploadLedger, IAsyncDisposable
{
    private readonly string _connectionString;

    private readonly SqliteGroupCommit _groupCommit;

    private readonly Lazy<Task> _schema;

    // Opened by the first write; only the group commit uses it, one transaction at a time.
    private SqliteWriteConnection? _writer;

    // The meter factory is optional so that a host without metrics still gets a ledger (and records nothing).
    public SqliteUploadLedger(
        IOptions<LedgerOptions> options,
        TimeProvider time,
        ILogger<SqliteUploadLedger> logger,
        IMeterFactory? meterFactory = null)
        : base(time, logger)
    {
        ArgumentNullException.ThrowIfNull(options);

        var path = Path.GetFullPath(options.Value.Path);
        ClaimLease = options.Value.OutboxClaimLease;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(options.Value.BusyTimeout.TotalSeconds),
        }.ToString();
        _schema = new Lazy<Task>(() => SqliteLedgerSchema.MigrateAsync(_connectionString, path, logger));
        _groupCommit = new SqliteGroupCommit(
            BeginWriteAsync,
            options.Value.MaxWritesPerCommit,
            new SqliteLedgerMetrics(meterFactory),
            logger,
            DiscardWriter);
    }

    public string DatabasePath => new SqliteConnectionStringBuilder(_connectionString).DataSource;

    protected override string LockRowClause => "";

    protected override TimeSpan ClaimLease { get; }

    // One process writes a SQLite ledger, and its writes already run one at a time.
    protected override string SkipLockedClause => "";

    // SQLite has no arrays; Dapper expands the list into one parameter per id.
    protected override string OutboxIdsCondition => "id IN @outboxIds";

    protected override string ClaimOutboxSql =>
        """
        UPDATE ledger_outbox SET claimed_until = @until, claim_count = claim_count + 1
        WHERE id IN (
            SELECT id FROM ledger_outbox
            WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < @now)
            ORDER BY id LIMIT @max)
        RETURNING id AS Id, upload_id AS UploadId, event_type AS EventType, payload AS Payload, created_at AS CreatedAt
        """;

    /// <summary>
    /// Creates or upgrades the schema; also happens on first use, this makes a broken file fail early.
    /// </summary>
    public Task InitializeAsync(CancellationToken cancellationToken) => _schema.Value.WaitAsync(cancellationToken);

    /// <summary>
    /// Start-up of the server that owns this file: creates the schema, then frees every outbox claim at once.
    /// Only this server's relay claims rows in a SQLite ledger (a separate worker process never does), so a claim
    /// found now belongs to a previous run that died; waiting for its lease would delay those uploads by up to
    /// <c>Ledger:OutboxClaimLease</c>. PostgreSQL has no such step: there other instances' claims are live.
    /// </summary>
    public async Task StartAsOwnerAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);

        var released = await WriteAsync(
            (connection, transaction, cancellationToken) => connection.ExecuteAsync(new CommandDefinition(
                "UPDATE ledger_outbox SET claimed_until = NULL WHERE sent_at IS NULL AND claimed_until IS NOT NULL",
                transaction: transaction,
                cancellationToken: cancellationToken)),
            cancellationToken);

        if (released > 0)
        {
            LedgerLog.StaleClaimsReleased(Logger, released, DatabasePath);
        }
    }

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);

        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>Every write goes through the group commit, which runs one transaction at a time.</summary>
    protected override Task<T> WriteAsync<T>(
        Func<DbConnection, DbTransaction, CancellationToken, Task<T>> work,
        CancellationToken cancellationToken) =>
        _groupCommit.WriteAsync(work, cancellationToken);

    /// <summary>
    /// Called by the group commit only, so at most one runs at a time in this process; a BEGIN that fails is that
    /// transaction's failure, after which the group commit discards the connection.
    /// </summary>
    protected override async Task<LedgerWriteScope> BeginWriteAsync(CancellationToken cancellationToken)
    {
        var writer = _writer ??= await OpenWriterAsync(cancellationToken);
        return new LedgerWriteScope(writer, writer.BeginImmediate(), null, keepConnection: true);
    }

    private async Task<SqliteWriteConnection> OpenWriterAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);

        // Not from the pool: a connection closed after a failed transaction must take its SQLite handle with it, so
        // that the next one starts afresh; one kept open for the ledger's life gains nothing from pooling anyway.
        var connection = new SqliteConnection(
            new SqliteConnectionStringBuilder(_connectionString) { Pooling = false }.ToString());
        try
        {
            await connection.OpenAsync(cancellationToken);

            // Durability rests on this, so it is set here rather than trusting the build's default: in WAL mode
            // FULL syncs the log at every COMMIT, and a commit that returned survives a power loss. (NORMAL would
            // sync only at checkpoints and could lose the last commits.) It costs no I/O of its own.
            await connection.ExecuteAsync(new CommandDefinition(
                "PRAGMA synchronous = FULL",
                cancellationToken: cancellationToken));
            return new SqliteWriteConnection(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Closes the write connection after a failed transaction; the next write opens a new one.</summary>
    private void DiscardWriter() => Interlocked.Exchange(ref _writer, null)?.Dispose();

    /// <summary>
    /// Closes the write connection; the host's container calls it when the host stops. The writer is not pooled, so
    /// nothing else would close its handle on the file (tested by <c>SqliteLedgerStopTests</c>).
    /// </summary>
    public ValueTask DisposeAsync()
    {
        DiscardWriter();
        return ValueTask.CompletedTask;
    }

    protected override object ToDb(DateTimeOffset instant) => instant.ToUnixTimeMilliseconds();

    protected override DateTimeOffset FromDb(object value) =>
        DateTimeOffset.FromUnixTimeMilliseconds(
            Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
}
