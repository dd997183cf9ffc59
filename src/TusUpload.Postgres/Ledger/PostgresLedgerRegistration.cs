using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TusUpload.Pipeline.Ledger;

namespace TusUpload.Postgres.Ledger;

/// <summary>
/// Registers the PostgreSQL ledger for <c>Ledger:Kind=postgres</c>; found by name from the pipeline's registration.
/// Shares the host's data source and migrations (<see cref="PostgresRegistration.AddPostgres"/>), which apply the
/// ledger's script <c>0100_ledger.sql</c> before anything starts.
/// </summary>
public sealed class PostgresLedgerRegistration : ILedgerRegistration
{
    public void AddLedger(IServiceCollection services, IConfiguration configuration)
    {
        services.AddPostgres(configuration);
        services.AddSingleton<PostgresUploadLedger>();
        services.AddSingleton<IUploadLedger>(provider => provider.GetRequiredService<PostgresUploadLedger>());
    }
}
