using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace TusUpload.Pipeline.Ledger;

/// <summary>
/// Registers a ledger implemented outside this assembly. The PostgreSQL ledger lives in <c>TusUpload.Postgres</c>,
/// which references this project, so the pipeline finds it by name instead of by a reference that would be circular.
/// </summary>
public interface ILedgerRegistration
{
    void AddLedger(IServiceCollection services, IConfiguration configuration);
}
