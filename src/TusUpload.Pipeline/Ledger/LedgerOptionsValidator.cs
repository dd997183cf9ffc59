using Microsoft.Extensions.Options;
using TusUpload.Pipeline.Ledger.Sqlite;

namespace TusUpload.Pipeline.Ledger;

/// <summary>Fails start-up with a message naming the setting when the ledger is misconfigured.</summary>
public sealed class LedgerOptionsValidator : IValidateOptions<LedgerOptions>
{
    private static readonly TimeSpan MaxSentOutboxRetention = TimeSpan.FromDays(36500);

    public ValidateOptionsResult Validate(string? name, LedgerOptions options)
    {
        var failures = new List<string>();

        if (options.Kind is not (LedgerKinds.Sqlite or LedgerKinds.Postgres))
        {
            failures.Add(
                $"Ledger:Kind must be '{LedgerKinds.Sqlite}' or '{LedgerKinds.Postgres}', not '{options.Kind}'.");
        }

        if (options.Kind == LedgerKinds.Sqlite && string.IsNullOrWhiteSpace(options.Path))
        {
            failures.Add("Ledger:Path must name the SQLite database file.");
        }
        else if (options.Kind == LedgerKinds.Sqlite && SqliteLedgerProbe.TryWrite(options.Path) is { } problem)
        {
            failures.Add($"Ledger:Path '{options.Path}' cannot hold the SQLite database: {problem}");
        }

        if (options.OutboxClaimLease < TimeSpan.FromSeconds(1) || options.OutboxClaimLease > TimeSpan.FromHours(1))
        {
            failures.Add("Ledger:OutboxClaimLease must be between 00:00:01 and 01:00:00.");
        }

        if (options.MaxWritesPerCommit is < 1 or > 1000)
        {
            failures.Add("Ledger:MaxWritesPerCommit must be between 1 and 1000.");
        }

        if (options.BusyTimeout < TimeSpan.FromSeconds(1) || options.BusyTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add("Ledger:BusyTimeout must be between 00:00:01 and 00:05:00.");
        }

        // The upper bound keeps "now minus the retention" a representable instant.
        if (options.SentOutboxRetention <= TimeSpan.Zero || options.SentOutboxRetention > MaxSentOutboxRetention)
        {
            failures.Add(
                "Ledger:SentOutboxRetention must be more than zero and at most 36500.00:00:00 (100 years), "
                + $"not '{options.SentOutboxRetention}'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
