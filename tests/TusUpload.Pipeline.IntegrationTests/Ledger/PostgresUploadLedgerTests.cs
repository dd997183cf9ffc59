using TusUpload.Pipeline.Ledger;

namespace TusUpload.Pipeline.IntegrationTests.Ledger;

/// <summary>The ledger contract on real PostgreSQL (<c>TUS_TEST_POSTGRES</c>), a schema of its own per test.</summary>
public sealed class PostgresUploadLedgerTests : UploadLedgerContract
{
    private PostgresLedgerFactory? _factory;

    public override async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }

    protected override async Task<IUploadLedger> CreateLedgerAsync(TimeSpan? claimLease)
    {
        _factory ??= await PostgresLedgerFactory.CreateAsync();
        return _factory.Create(claimLease);
    }

    protected override async Task<IUploadLedger> CreateLedgerWithClockAsync(TimeProvider time)
    {
        _factory ??= await PostgresLedgerFactory.CreateAsync();
        return _factory.Create(time: time);
    }

    protected override Task<long> CountOutboxRowsAsync() => _factory!.CountOutboxRowsAsync();
}
