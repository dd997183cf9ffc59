using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace TusUpload.Pipeline.IntegrationTests.Outbox;

/// <summary>
/// Keeps the event id and text of every line logged, so a test can wait for an event, count them and read them.
/// </summary>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<(int Id, string Message)> _events = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(
        LogLevel logLevel,
        EventId eventId,
        TState state,
        Exception? exception,
        Func<TState, Exception?, string> formatter) => _events.Enqueue((eventId.Id, formatter(state, exception)));

    /// <summary>How many lines with <paramref name="eventId"/> were logged so far.</summary>
    public int Count(int eventId) => _events.Count(logged => logged.Id == eventId);

    /// <summary>The text of every line with <paramref name="eventId"/> logged so far, oldest first.</summary>
    public IReadOnlyList<string> Messages(int eventId) =>
        _events.Where(logged => logged.Id == eventId).Select(logged => logged.Message).ToList();

    /// <summary>
    /// Waits until <paramref name="eventId"/> was logged at least once; false after <paramref name="limit"/>.
    /// </summary>
    public Task<bool> LoggedAsync(int eventId, TimeSpan limit) =>
        RelayHarness.EventuallyAsync(() => Count(eventId) > 0, limit);
}
