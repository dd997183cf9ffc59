using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;

namespace TusUpload.Pipeline.Ledger.Sqlite;

/// <summary>
/// A command of <see cref="SqliteWriteConnection"/>: each run borrows that connection's compiled command for the
/// text, binds this command's parameters to it, and gives it back (a reader's when this command is disposed, since
/// the reader reads through it). The text may change up to the run: Dapper rewrites it when it expands a list.
/// </summary>
internal sealed class SqliteCachedCommand(SqliteWriteConnection connection) : DbCommand
{
    private readonly SqliteCommandParameters _parameters = new();

    private SqliteCommand? _reading;

    private string _text = "";

    [AllowNull]
    public override string CommandText
    {
        get => _text;
        set => _text = value ?? "";
    }

    public override int CommandTimeout { get; set; } = connection.DefaultTimeout;

    public override CommandType CommandType
    {
        get => CommandType.Text;
        set
        {
            if (value != CommandType.Text)
            {
                throw new NotSupportedException("The ledger runs SQL text only.");
            }
        }
    }

    public override bool DesignTimeVisible { get; set; }

    public override UpdateRowSource UpdatedRowSource { get; set; }

    protected override DbConnection? DbConnection
    {
        get => connection;
        set => throw new NotSupportedException("A ledger command belongs to the connection that made it.");
    }

    protected override DbParameterCollection DbParameterCollection => _parameters;

    protected override DbTransaction? DbTransaction { get; set; }

    public override void Cancel() => _reading?.Cancel();

    public override int ExecuteNonQuery()
    {
        var compiled = Borrow();
        try
        {
            return compiled.ExecuteNonQuery();
        }
        finally
        {
            connection.GiveBack(_text, compiled);
        }
    }

    public override object? ExecuteScalar()
    {
        var compiled = Borrow();
        try
        {
            return compiled.ExecuteScalar();
        }
        finally
        {
            connection.GiveBack(_text, compiled);
        }
    }

    /// <summary>Nothing to do ahead: a text is compiled on its first run and kept.</summary>
    public override void Prepare()
    {
    }

    protected override DbParameter CreateDbParameter() => new SqliteParameter();

    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior)
    {
        if (_reading is not null)
        {
            throw new InvalidOperationException("This command's previous reader is still open.");
        }

        var compiled = Borrow();
        try
        {
            var reader = compiled.ExecuteReader(behavior);
            _reading = compiled;
            return reader;
        }
        catch
        {
            connection.GiveBack(_text, compiled);
            throw;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _reading is { } compiled)
        {
            _reading = null;
            connection.GiveBack(_text, compiled);
        }

        base.Dispose(disposing);
    }

    private SqliteCommand Borrow()
    {
        var compiled = connection.Borrow(_text);
        compiled.Transaction = (SqliteTransaction?)DbTransaction;
        compiled.CommandTimeout = CommandTimeout;
        foreach (SqliteParameter parameter in _parameters)
        {
            compiled.Parameters.Add(parameter);
        }

        return compiled;
    }
}
