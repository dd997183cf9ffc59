using Microsoft.Data.Sqlite;

namespace TusUpload.Pipeline.Ledger.Sqlite;

/// <summary>
/// The parameters of a <see cref="SqliteCachedCommand"/>, kept by the command itself rather than by the compiled
/// command it borrows for a run: Dapper holds on to the collection it added the first parameters to, also after it
/// rewrote the command's text.
/// </summary>
internal sealed class SqliteCommandParameters : SqliteParameterCollection;
