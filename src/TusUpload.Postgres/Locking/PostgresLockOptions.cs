namespace TusUpload.Postgres.Locking;

/// <summary>Lease timings of the PostgreSQL upload lock (configuration section <c>Locking:Postgres</c>).</summary>
public sealed class PostgresLockOptions
{
    public const string SectionName = "Locking:Postgres";

    /// <summary>
    /// How long a lease lasts without renewal. It bounds how long an upload stays locked when its holder is cut
    /// off from PostgreSQL but still running; a holder whose process died loses its lease at once. Default 10 s.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a held lease is renewed; at most a third of the lease. Default 2 s.</summary>
    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often a waiting request retries a held lease while the holder releases. Default 50 ms.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Name of this instance in lease rows and logs. Default host name and process id.</summary>
    public string InstanceId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";
}
