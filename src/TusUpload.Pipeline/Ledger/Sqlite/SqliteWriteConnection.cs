using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;

namespace TusUpload.Pipeline.Ledger.Sqlite;

/// <summary>
/// The SQLite ledger's one write connection, kept open while its transactions succeed, with a compiled statement
/// per SQL text. Microsoft.Data.Sqlite keeps a statement compiled only as long as the command object that ran it,
/// and Dapper makes a new command for every call, so each write compiled its SQL again, and each batch opened a
/// pooled connection and set its pragma: about a third of what the ledger cost, itself a quarter of the server's CPU
/// in a spike of small uploads.
/// The commands this hands out (<see cref="SqliteCachedCommand"/>) borrow a compiled command for their text for each
/// run. Used by one caller at a time: the group commit, which runs one transaction at a time.
/// </summary>
internal sealed class SqliteWriteConnection : DbConnection
{
    // Dapper writes a list parameter into the SQL text, so the outbox's "id IN @ids" makes one text per list
    // length; past this many texts a command is compiled for one use, as before.
    private const int MaxCachedTexts = 64;

    private readonly SqliteConnection _inner;

    private readonly Dictionary<string, Stack<SqliteCommand>> _idle = new(StringComparer.Ordinal);

    public SqliteWriteConnection(SqliteConnection inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
    }

    [AllowNull]
    public override string ConnectionString
    {
        get => _inner.ConnectionString;
        set => throw new NotSupportedException("The ledger's write connection is opened once, by the ledger.");
    }

    public override string Database => _inner.Database;

    public override string DataSource => _inner.DataSource;

    public override string ServerVersion => _inner.ServerVersion;

    public override ConnectionState State => _inner.State;

    /// <summary>The connection's busy timeout, which every borrowed command starts with.</summary>
    public int DefaultTimeout => _inner.DefaultTimeout;

    /// <summary>SQL texts that have compiled commands waiting for their next run.</summary>
    public int CachedTexts => _idle.Count;

    /// <summary>Compiled commands waiting for the next run of <paramref name="text"/>.</summary>
    public int IdleCommands(string text) => _idle.TryGetValue(text, out var idle) ? idle.Count : 0;

    public override void ChangeDatabase(string databaseName) => _inner.ChangeDatabase(databaseName);

    public override void Open() => _inner.Open();

    public override void Close() => _inner.Close();

    /// <summary>
    /// An <c>IMMEDIATE</c> transaction: the write lock is taken up front, so no transaction has to upgrade a read lock
    /// and fail with <c>SQLITE_BUSY</c> half-way.
    /// </summary>
    public SqliteTransaction BeginImmediate() => _inner.BeginTransaction(deferred: false);

    /// <summary>An idle compiled command for <paramref name="text"/>, or a new one.</summary>
    public SqliteCommand Borrow(string text)
    {
        if (_idle.TryGetValue(text, out var idle) && idle.TryPop(out var command))
        {
            return command;
        }

        var created = _inner.CreateCommand();
        created.CommandText = text;
        return created;
    }

    /// <summary>Takes back a borrowed command, its parameters and transaction cleared, for the next use.</summary>
    public void GiveBack(string text, SqliteCommand command)
    {
        command.Parameters.Clear();
        command.Transaction = null;
        if (!_idle.TryGetValue(text, out var idle))
        {
            if (_idle.Count >= MaxCachedTexts)
            {
                command.Dispose();
                return;
            }

            idle = new Stack<SqliteCommand>();
            _idle[text] = idle;
        }

        idle.Push(command);
    }

    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) =>
        _inner.BeginTransaction(isolationLevel);

    protected override DbCommand CreateDbCommand() => new SqliteCachedCommand(this);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var command in _idle.Values.SelectMany(idle => idle))
            {
                command.Dispose();
            }

            _idle.Clear();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
