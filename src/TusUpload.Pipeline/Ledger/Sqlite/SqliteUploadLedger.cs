using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TusUpload.Pipeline.Ledger.Sqlite;

/// <summary>
/// The embedded ledger: one SQLite file in WAL mode. Writes inside this process queue on a gate and each runs in a
/// <c>BEGIN IMMEDIATE</c> transaction, so a transition's read and update can never interleave with another's;
/// a second process on the same file (a separate worker) waits on SQLite's busy timeout instead.
/// </summary>
public sealed class SqliteUploadLedger : SqlUploadLedger, IDisposable
{
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    private readonly string _connectionString;

    private readonly Lazy<Task> _schema;

    public SqliteUploadLedger(IOptions<LedgerOptions> options, TimeProvider time, ILogger<SqliteUploadLedger> logger)
        : base(time, logger)
    {
        var path = Path.GetFullPath(options.Value.Path);
        ClaimLease = options.Value.OutboxClaimLease;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _schema = new Lazy<Task>(() => SqliteLedgerSchema.MigrateAsync(_connectionString, path, logger));
    }

    public string DatabasePath => new SqliteConnectionStringBuilder(_connectionString).DataSource;

    protected override string LockRowClause => "";

    protected override TimeSpan ClaimLease { get; }

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

    /// <summary>Creates or upgrades the schema; also happens on first use, this makes a broken file fail early.</summary>
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
            (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
                "UPDATE ledger_outbox SET claimed_until = NULL WHERE sent_at IS NULL AND claimed_until IS NOT NULL",
                transaction: transaction,
                cancellationToken: cancellationToken)),
            cancellationToken);

        if (released > 0)
        {
            LedgerLog.StaleClaimsReleased(Logger, released, DatabasePath);
        }
    }

    public void Dispose() => _writeGate.Dispose();

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);

        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    protected override async Task<LedgerWriteScope> BeginWriteAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        DbConnection? connection = null;
        try
        {
            connection = await OpenAsync(cancellationToken);

            // Microsoft.Data.Sqlite begins IMMEDIATE unless asked for a deferred transaction: the write lock is
            // taken up front, so no transaction has to upgrade a read lock and fail with SQLITE_BUSY half-way.
            var transaction = ((SqliteConnection)connection).BeginTransaction(deferred: false);
            return new LedgerWriteScope(connection, transaction, new GateRelease(_writeGate));
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            _writeGate.Release();
            throw;
        }
    }

    protected override object ToDb(DateTimeOffset instant) => instant.ToUnixTimeMilliseconds();

    protected override DateTimeOffset FromDb(object value) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));

    private sealed class GateRelease(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
